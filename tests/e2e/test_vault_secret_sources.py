"""VaultSecret values from Kubernetes Secrets: a changed Secret reaches Vault and the target Secret
with nobody touching the VaultSecret, and a missing Secret or key resolves by itself once it exists."""

from __future__ import annotations

import json
import uuid

import pytest
from kubernetes import client
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException

from tests.conftest import RunningTestbed
from tests.e2e.conftest import Cluster, wait_until
from tests.e2e.vault_helpers import (
    KIND,
    KV2,
    PLURAL,
    Bao,
    condition_status,
    secret_data,
    status_of,
    wait_data,
    wait_ready,
    wait_ready_reason,
)

pytestmark = pytest.mark.e2e
# no drift check during these tests: only the operator's watch of the Secrets can requeue
NO_DRIFT = "1h"


def from_secret(path: str, secret: str = "source", key: str = "api-key") -> dict[str, object]:
    return {
        "path": path,
        "driftInterval": NO_DRIFT,
        "data": [
            {"key": "api-key", "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}},
            {"key": "endpoint", "value": "https://api"},
        ],
        "target": {"name": "copied"},
    }


def generation(cluster: Cluster, name: str) -> int:
    return int((cluster.get(PLURAL, name) or {})["metadata"]["generation"])  # type: ignore[index]


def test_a_changed_source_secret_reaches_vault_and_the_target(
    vault_cluster: Cluster, bao: Bao, kv_root: str
) -> None:
    cluster, path = vault_cluster, f"{kv_root}/sourced"
    cluster.put_secret("source", {"api-key": "first-4e1c"})
    cluster.apply(PLURAL, KIND, "sourced", from_secret(path))
    wait_ready(cluster, "sourced")
    assert bao.data(KV2, path) == {"api-key": "first-4e1c", "endpoint": "https://api"}
    hash_before = status_of(cluster, "sourced")["dataHash"]
    before = generation(cluster, "sourced")

    cluster.put_secret("source", {"api-key": "second-9b2d"})
    expected = {"api-key": "second-9b2d", "endpoint": "https://api"}
    wait_data(bao, path, expected)
    wait_until(
        lambda: secret_data(cluster, "copied") == expected,
        30,
        "the target Secret did not follow the source Secret",
    )
    wait_until(
        lambda: status_of(cluster, "sourced").get("dataHash") != hash_before,
        30,
        lambda: f"status.dataHash did not follow the new value: {status_of(cluster, 'sourced')}",
    )
    assert generation(cluster, "sourced") == before, "the VaultSecret itself was changed"


def test_a_missing_source_secret_resolves_once_it_exists(
    vault_cluster: Cluster, bao: Bao, kv_root: str
) -> None:
    cluster, path = vault_cluster, f"{kv_root}/late"
    cluster.apply(PLURAL, KIND, "late", from_secret(path, secret="late-source"))
    status = wait_ready_reason(cluster, "late", "SecretResolutionError")
    last_error = status.get("lastError")
    assert isinstance(last_error, dict) and "late-source" in str(last_error.get("message")), status
    assert last_error.get("retryable") is True, last_error
    assert condition_status(cluster, "late", "Stalled") == "False"
    assert bao.metadata(path) is None, "something was written without the Secret's value"

    cluster.put_secret("late-source", {"other-key": "x"})  # the Secret, but not the key
    wait_until(
        lambda: "api-key" in str(status_of(cluster, "late").get("lastError")),
        30,
        lambda: f"a Secret without the key is not reported as such: {status_of(cluster, 'late')}",
    )
    assert condition_status(cluster, "late", "Ready") == "False"

    cluster.put_secret("late-source", {"api-key": "arrived-51aa"})
    status = wait_ready(cluster, "late")
    assert bao.data(KV2, path) == {"api-key": "arrived-51aa", "endpoint": "https://api"}
    assert "lastError" not in status, status


def test_a_source_secret_is_read_only_from_the_resource_namespace(
    vault_cluster: Cluster, bao: Bao, kv_root: str, api: ApiClient, testbed: RunningTestbed
) -> None:
    """A secretKeyRef naming another namespace: the apiserver refuses the field or drops it, and
    the operator never reads the other namespace's Secret."""
    cluster, path = vault_cluster, f"{kv_root}/elsewhere"
    other = f"onex-secrets-{uuid.uuid4().hex[:8]}"
    cluster.core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=other)))
    try:
        Cluster(api=api, namespace=other, testbed=testbed).put_secret(
            "elsewhere", {"api-key": "other-ns-7c1d"}
        )
        spec = from_secret(path, secret="elsewhere")
        spec["data"][0]["valueFrom"]["secretKeyRef"]["namespace"] = other  # type: ignore[index]
        try:
            cluster.apply(PLURAL, KIND, "elsewhere", spec)
        except ApiException as refused:
            assert refused.status in {400, 422}, refused
            return
        stored = json.dumps((cluster.get(PLURAL, "elsewhere") or {}).get("spec"))
        assert other not in stored, f"the apiserver kept the namespace: {stored}"
        wait_ready_reason(cluster, "elsewhere", "SecretResolutionError")
        assert bao.metadata(path) is None
    finally:
        cluster.core.delete_namespace(other)
