"""VaultSecret against the test-bed's real OpenBao: create from literal, Secret and generated values
(KV v2 and v1), the target Secret, generated values kept, rotation by annotation, deletion by policy."""

from __future__ import annotations

import json
import string

import pytest

from tests.e2e.conftest import Cluster, wait_until
from tests.e2e.vault_helpers import (
    KIND,
    KV1,
    KV2,
    MANAGED_BY,
    PLURAL,
    ROTATE,
    Bao,
    annotate,
    events,
    patch,
    read_secret,
    secret_data,
    status_of,
    uid_of,
    wait_data,
    wait_ready,
    wait_ready_reason,
)

pytestmark = pytest.mark.e2e

HEX = set(string.hexdigits.lower())


def app_spec(path: str, **extra: object) -> dict[str, object]:
    """A literal, a value from the Secret `app-source` and a generated one; target Secret `app`."""
    return {
        "path": path,
        "data": [
            {"key": "username", "value": "orders_app"},
            {"key": "api-key", "valueFrom": {"secretKeyRef": {"name": "app-source", "key": "api-key"}}},
            {"key": "password", "generate": {"length": 40, "charset": "hex"}},
        ],
        "target": {"name": "app"},
        **extra,
    }


def test_create_kv2_from_literal_secret_and_generated_values(
    vault_cluster: Cluster, bao: Bao, kv_root: str
) -> None:
    cluster, path = vault_cluster, f"{kv_root}/app"
    source = "source-7f3a-value"
    cluster.put_secret("app-source", {"api-key": source})
    cluster.apply(PLURAL, KIND, "app", app_spec(path))
    status = wait_ready(cluster, "app")

    secret = bao.read(KV2, path)
    assert secret is not None, f"nothing at {KV2}/{path}"
    assert sorted(secret.data) == ["api-key", "password", "username"]
    assert secret.data["username"] == "orders_app" and secret.data["api-key"] == source
    generated = secret.data["password"]
    assert len(generated) == 40 and set(generated) <= HEX, "the generated value ignores length or charset"

    uid = uid_of(cluster, "app")
    assert secret.custom_metadata.get("managed-by") == MANAGED_BY, secret.custom_metadata
    assert secret.custom_metadata.get("owner-uid") == uid, secret.custom_metadata
    assert secret.custom_metadata.get("owner-namespace") == cluster.namespace, secret.custom_metadata
    assert secret.custom_metadata.get("owner-name") == "app", secret.custom_metadata

    assert status["version"] == secret.version, status
    assert str(status["dataHash"]).startswith("hmac-sha256:"), status
    assert status["keys"] == ["api-key", "password", "username"], status
    assert status["path"] == path and status["targetSecret"] == "app", status
    text = json.dumps(status)
    leaked = [key for key, value in secret.data.items() if value in text]
    assert not leaked, f"status holds the value of {leaked}"

    assert secret_data(cluster, "app") == secret.data, "the target Secret differs from Vault"
    target = read_secret(cluster, "app")
    assert target is not None and target.metadata is not None
    owners = [(ref.kind, ref.name, ref.uid, ref.controller) for ref in target.metadata.owner_references or []]
    assert owners == [(KIND, "app", uid, True)], owners
    assert (target.metadata.labels or {}).get("app.kubernetes.io/managed-by") == MANAGED_BY
    assert "Created" in {reason for reason, _ in events(cluster, "app")}


def test_kv1_mount(vault_cluster: Cluster, bao: Bao, kv_root: str) -> None:
    cluster, path = vault_cluster, f"{kv_root}/legacy"
    spec: dict[str, object] = {
        "mount": KV1,
        "kvVersion": 1,
        "path": path,
        "data": [{"key": "url", "value": "https://legacy"}, {"key": "token", "generate": {"length": 16}}],
    }
    cluster.apply(PLURAL, KIND, "legacy", spec)
    status = wait_ready(cluster, "legacy")
    data = bao.data(KV1, path, kv_version=1)
    assert data is not None and data["url"] == "https://legacy" and len(data["token"]) == 16, data
    assert status["path"] == path and str(status["dataHash"]).startswith("hmac-sha256:"), status
    assert data["token"] not in json.dumps(status)
    assert bao.data(KV2, path) is None, "a KV v1 resource wrote to the KV v2 mount"

    # a later change keeps the generated value: the v1 secret is known as ours by status.path
    data_spec = spec["data"]
    assert isinstance(data_spec, list)
    cluster.apply(PLURAL, KIND, "legacy", {**spec, "data": [*data_spec, {"key": "region", "value": "eu"}]})
    wait_data(bao, path, {**data, "region": "eu"}, mount=KV1, kv_version=1)
    wait_ready(cluster, "legacy")


def test_generated_value_is_kept_across_spec_changes(vault_cluster: Cluster, bao: Bao, kv_root: str) -> None:
    cluster, path = vault_cluster, f"{kv_root}/kept"
    cluster.put_secret("app-source", {"api-key": "kept-source-5d2a"})
    spec = app_spec(path)
    cluster.apply(PLURAL, KIND, "kept", spec)
    wait_ready(cluster, "kept")
    first = bao.data(KV2, path)
    assert first is not None

    data = spec["data"]
    assert isinstance(data, list)
    cluster.apply(PLURAL, KIND, "kept", {**spec, "data": [*data, {"key": "port", "value": "5432"}]})
    wait_data(bao, path, {**first, "port": "5432"})
    wait_ready(cluster, "kept")
    assert secret_data(cluster, "app") == {**first, "port": "5432"}
    # nor does a change of the generate settings regenerate the kept value
    changed = [
        {**item, "generate": {"length": 64, "charset": "alphanumeric"}} if item["key"] == "password" else item
        for item in data
    ]
    cluster.apply(PLURAL, KIND, "kept", {**spec, "data": changed})
    wait_ready(cluster, "kept")
    # (the key `port` the spec no longer names is kept: prune is false)
    assert bao.data(KV2, path) == {**first, "port": "5432"}, "a spec change altered a generated value"


def test_rotation_annotation_regenerates_once(vault_cluster: Cluster, bao: Bao, kv_root: str) -> None:
    cluster, path = vault_cluster, f"{kv_root}/rotated"
    spec: dict[str, object] = {
        "path": path,
        "data": [
            {"key": "user", "value": "svc"},
            {"key": "password", "generate": {"length": 24}},
            {"key": "pin", "generate": {"length": 8, "charset": "hex"}},
        ],
    }
    cluster.apply(PLURAL, KIND, "rotated", spec)
    wait_ready(cluster, "rotated")
    before = bao.read(KV2, path)
    assert before is not None and before.version is not None

    annotate(cluster, "rotated", ROTATE, "2024-q1")
    wait_until(
        lambda: status_of(cluster, "rotated").get("rotation") == "2024-q1",
        30,
        lambda: f"the rotation was never recorded: {status_of(cluster, 'rotated')}",
    )
    after = bao.read(KV2, path)
    assert after is not None and after.version is not None
    assert after.data["user"] == "svc"
    assert after.data["password"] != before.data["password"] and after.data["pin"] != before.data["pin"]
    assert len(after.data["password"]) == 24 and len(after.data["pin"]) == 8
    assert after.version == before.version + 1, "the rotation wrote more than one version"
    found = events(cluster, "rotated")
    assert any("~ password (regenerated)" in message for _, message in found), found

    # later reconciles (a spec change, drift checks) with the same token do not regenerate
    data = spec["data"]
    assert isinstance(data, list)
    patch(cluster, "rotated", {"spec": {"data": [*data, {"key": "host", "value": "db"}]}})
    wait_data(bao, path, {**after.data, "host": "db"})
    wait_ready(cluster, "rotated")
    history = bao.versions(path)
    assert len({version["password"] for version in history.values()}) == 2, "regenerated more than once"
    assert status_of(cluster, "rotated").get("rotation") == "2024-q1"

    annotate(cluster, "rotated", ROTATE, "2024-q2")  # a new token rotates again
    wait_until(
        lambda: (
            (bao.data(KV2, path) or {}).get("password")
            not in {before.data["password"], after.data["password"]}
        ),
        30,
        "a new rotation token did not regenerate",
    )


def test_target_secret_is_garbage_collected_with_its_resource(
    vault_cluster: Cluster, bao: Bao, kv_root: str
) -> None:
    cluster, path = vault_cluster, f"{kv_root}/collected"
    spec = {"path": path, "data": [{"key": "k", "value": "v"}], "target": {"name": "collected"}}
    cluster.apply(PLURAL, KIND, "collected", spec)
    wait_ready(cluster, "collected")
    assert secret_data(cluster, "collected") == {"k": "v"}
    cluster.delete(PLURAL, "collected")
    cluster.wait_gone(PLURAL, "collected")
    wait_until(
        lambda: read_secret(cluster, "collected") is None,
        60,
        "the target Secret outlived its VaultSecret (ownerReference / garbage collector)",
    )
    assert bao.data(KV2, path) == {"k": "v"}, "deletionPolicy Retain (the default) removed the secret"


def test_deletion_policy_delete_removes_every_version(vault_cluster: Cluster, bao: Bao, kv_root: str) -> None:
    cluster, path = vault_cluster, f"{kv_root}/deleted"
    spec: dict[str, object] = {
        "path": path,
        "deletionPolicy": "Delete",
        "data": [{"key": "k", "value": "one"}],
    }
    cluster.apply(PLURAL, KIND, "deleted", spec)
    wait_ready(cluster, "deleted")
    cluster.apply(PLURAL, KIND, "deleted", {**spec, "data": [{"key": "k", "value": "two"}]})
    wait_data(bao, path, {"k": "two"})
    assert len(bao.versions(path)) == 2

    cluster.delete(PLURAL, "deleted")
    cluster.wait_gone(PLURAL, "deleted")
    assert bao.metadata(path) is None, "metadata or versions are left after deletionPolicy Delete"


def test_deletion_policy_delete_on_kv1(vault_cluster: Cluster, bao: Bao, kv_root: str) -> None:
    cluster, path = vault_cluster, f"{kv_root}/deleted-v1"
    spec = {
        "mount": KV1,
        "kvVersion": 1,
        "path": path,
        "deletionPolicy": "Delete",
        "data": [{"key": "k", "value": "v"}],
    }
    cluster.apply(PLURAL, KIND, "deleted-v1", spec)
    wait_ready(cluster, "deleted-v1")
    assert bao.data(KV1, path, kv_version=1) == {"k": "v"}
    cluster.delete(PLURAL, "deleted-v1")
    cluster.wait_gone(PLURAL, "deleted-v1")
    assert bao.data(KV1, path, kv_version=1) is None


def test_deletion_policy_retain_keeps_the_secret(vault_cluster: Cluster, bao: Bao, kv_root: str) -> None:
    cluster, path = vault_cluster, f"{kv_root}/retained"
    spec: dict[str, object] = {"path": path, "deletionPolicy": "Retain", "data": [{"key": "k", "value": "v"}]}
    cluster.apply(PLURAL, KIND, "retained", spec)
    wait_ready(cluster, "retained")
    cluster.delete(PLURAL, "retained")
    cluster.wait_gone(PLURAL, "retained")
    assert bao.data(KV2, path) == {"k": "v"}


def test_delete_never_removes_a_secret_that_is_not_the_resources(
    vault_cluster: Cluster, bao: Bao, kv_root: str
) -> None:
    cluster, path = vault_cluster, f"{kv_root}/not-mine"
    bao.write(KV2, path, {"k": "theirs"})
    cluster.apply(
        PLURAL,
        KIND,
        "not-mine",
        {"path": path, "deletionPolicy": "Delete", "data": [{"key": "k", "value": "mine"}]},
    )
    wait_ready_reason(cluster, "not-mine", "ResourceConflict")
    cluster.delete(PLURAL, "not-mine")
    cluster.wait_gone(PLURAL, "not-mine")
    assert bao.data(KV2, path) == {"k": "theirs"}, "a foreign secret was deleted"
