"""Whose secret it is: a secret in Vault not written by the resource and a Kubernetes Secret it does
not own are never touched; `adopt: true` takes over the first, never the second."""

from __future__ import annotations

import pytest
from kubernetes.client import ApiClient

from tests.conftest import RunningTestbed
from tests.e2e.conftest import E2E_NAMESPACE_PREFIX, Cluster, make_cluster, remove_cluster
from tests.e2e.vault_helpers import (
    KIND,
    KV1,
    KV2,
    MANAGED_BY,
    PLURAL,
    Bao,
    condition_status,
    read_secret,
    secret_data,
    uid_of,
    use_vault,
    wait_data,
    wait_ready,
    wait_ready_reason,
)

pytestmark = pytest.mark.e2e


def test_foreign_secret_is_a_conflict_until_adopted(vault_cluster: Cluster, bao: Bao, kv_root: str) -> None:
    cluster, path = vault_cluster, f"{kv_root}/foreign"
    version = bao.write(KV2, path, {"password": "theirs", "note": "kept"})
    spec: dict[str, object] = {"path": path, "data": [{"key": "password", "value": "ours"}]}
    cluster.apply(PLURAL, KIND, "foreign", spec)
    wait_ready_reason(cluster, "foreign", "ResourceConflict")
    message = str((cluster.condition(PLURAL, "foreign") or {}).get("message"))
    assert "adopt" in message and path in message, message
    assert condition_status(cluster, "foreign", "Stalled") == "True"
    secret = bao.read(KV2, path)
    assert secret is not None
    assert (secret.version, secret.data, secret.custom_metadata) == (
        version,
        {"password": "theirs", "note": "kept"},
        {},
    ), "the foreign secret was touched"

    cluster.apply(PLURAL, KIND, "foreign", {**spec, "adopt": True})
    wait_ready(cluster, "foreign")
    wait_data(bao, path, {"password": "ours", "note": "kept"})  # keys of others stay (no prune)
    adopted = bao.read(KV2, path)
    assert adopted is not None
    assert adopted.custom_metadata.get("managed-by") == MANAGED_BY, adopted.custom_metadata
    assert adopted.custom_metadata.get("owner-uid") == uid_of(cluster, "foreign"), adopted.custom_metadata


def test_foreign_kv1_secret_is_a_conflict(vault_cluster: Cluster, bao: Bao, kv_root: str) -> None:
    """KV v1 keeps no metadata: a secret the resource has not recorded in its status is foreign."""
    cluster, path = vault_cluster, f"{kv_root}/foreign-v1"
    bao.write(KV1, path, {"password": "theirs"}, kv_version=1)
    spec = {"mount": KV1, "kvVersion": 1, "path": path, "data": [{"key": "password", "value": "ours"}]}
    cluster.apply(PLURAL, KIND, "foreign-v1", spec)
    wait_ready_reason(cluster, "foreign-v1", "ResourceConflict")
    assert bao.data(KV1, path, kv_version=1) == {"password": "theirs"}


def test_secret_of_another_vault_secret_is_a_conflict(vault_cluster: Cluster, bao: Bao, kv_root: str) -> None:
    cluster, path = vault_cluster, f"{kv_root}/contested"
    cluster.apply(PLURAL, KIND, "owner-vs", {"path": path, "data": [{"key": "k", "value": "value-1"}]})
    wait_ready(cluster, "owner-vs")
    cluster.apply(PLURAL, KIND, "intruder-vs", {"path": path, "data": [{"key": "k", "value": "value-2"}]})
    wait_ready_reason(cluster, "intruder-vs", "ResourceConflict")
    assert "owner-vs" in str((cluster.condition(PLURAL, "intruder-vs") or {}).get("message"))
    secret = bao.read(KV2, path)
    assert secret is not None and secret.data == {"k": "value-1"}
    assert secret.custom_metadata.get("owner-uid") == uid_of(cluster, "owner-vs")


def test_secret_of_a_vault_secret_in_another_namespace_is_a_conflict(
    vault_cluster: Cluster, bao: Bao, kv_root: str, api: ApiClient, testbed: RunningTestbed
) -> None:
    """Across namespaces the marker in custom_metadata tells the owner: the second is refused."""
    cluster, path = vault_cluster, f"{kv_root}/contested"
    other = make_cluster(api, testbed, E2E_NAMESPACE_PREFIX)
    try:
        use_vault(other, bao, bao.child_token())
        cluster.apply(PLURAL, KIND, "owner-vs", {"path": path, "data": [{"key": "k", "value": "value-1"}]})
        wait_ready(cluster, "owner-vs")
        other.apply(PLURAL, KIND, "intruder-vs", {"path": path, "data": [{"key": "k", "value": "value-2"}]})
        wait_ready_reason(other, "intruder-vs", "ResourceConflict")
        message = str((other.condition(PLURAL, "intruder-vs") or {}).get("message"))
        assert f"{cluster.namespace}/owner-vs" in message, message
        secret = bao.read(KV2, path)
        assert secret is not None and secret.data == {"k": "value-1"}
        assert secret.custom_metadata.get("owner-uid") == uid_of(cluster, "owner-vs")
    finally:
        remove_cluster(other)


@pytest.mark.parametrize("adopt", [False, True], ids=["plain", "adopt"])
def test_foreign_target_secret_is_a_conflict_and_untouched(
    vault_cluster: Cluster, bao: Bao, kv_root: str, adopt: bool
) -> None:
    cluster, path = vault_cluster, f"{kv_root}/taken"
    cluster.put_secret("taken", {"app-config": "someone else's"})
    before = read_secret(cluster, "taken")
    assert before is not None and before.metadata is not None
    spec = {"path": path, "adopt": adopt, "data": [{"key": "k", "value": "v"}], "target": {"name": "taken"}}
    cluster.apply(PLURAL, KIND, "taker", spec)
    wait_ready_reason(cluster, "taker", "ResourceConflict")
    message = str((cluster.condition(PLURAL, "taker") or {}).get("message"))
    assert "taken" in message, message

    after = read_secret(cluster, "taken")
    assert after is not None and after.metadata is not None
    assert after.metadata.resource_version == before.metadata.resource_version, "the Secret was written"
    assert secret_data(cluster, "taken") == {"app-config": "someone else's"}
    assert not after.metadata.owner_references, after.metadata.owner_references
    assert bao.metadata(path) is None, "the Vault secret was written although the target is not ours"


def test_a_vault_secret_applied_again_takes_over_its_earlier_self(
    vault_cluster: Cluster, bao: Bao, kv_root: str
) -> None:
    """Deleted with Retain and applied again, as a GitOps re-sync does: the secret is the new
    resource's (same namespace and name), its generated value kept, the marker names the new uid."""
    cluster, path = vault_cluster, f"{kv_root}/again"
    spec: dict[str, object] = {"path": path, "data": [{"key": "password", "generate": {"length": 24}}]}
    cluster.apply(PLURAL, KIND, "again", spec)
    wait_ready(cluster, "again")
    first = bao.read(KV2, path)
    assert first is not None
    cluster.delete(PLURAL, "again")
    cluster.wait_gone(PLURAL, "again")

    cluster.apply(PLURAL, KIND, "again", spec)
    wait_ready(cluster, "again")
    second = bao.read(KV2, path)
    assert second is not None
    assert second.data == first.data, "the generated value changed"
    assert second.custom_metadata.get("owner-uid") == uid_of(cluster, "again"), second.custom_metadata
