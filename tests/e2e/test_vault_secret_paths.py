"""A connection's pathPrefix ({namespace} expanded) confines the paths of its VaultSecrets; a path
that tries to leave it is refused, by the CRD schema or by the operator."""

from __future__ import annotations

import uuid

import pytest
from kubernetes.client.exceptions import ApiException

from tests.e2e.conftest import Cluster
from tests.e2e.vault_helpers import (
    KIND,
    KV1,
    KV2,
    PLURAL,
    Bao,
    condition_status,
    status_of,
    token_auth,
    vault_connection,
    wait_ready,
    wait_ready_reason,
)

pytestmark = pytest.mark.e2e


def confined(path: str) -> dict[str, object]:
    return {
        "path": path,
        "connectionRef": {"kind": "InfraConnection", "name": "confined"},
        "data": [{"key": "k", "value": "confined-value"}],
    }


def test_path_prefix_with_namespace_confines_the_secret(
    vault_cluster: Cluster, bao: Bao, kv_root: str
) -> None:
    cluster = vault_cluster
    vault_connection(cluster, "confined", bao, token_auth(), path_prefix=f"{kv_root}/{{namespace}}/apps")
    cluster.apply(PLURAL, KIND, "inside", confined("orders/db"))
    wait_ready(cluster, "inside")
    effective = f"{kv_root}/{cluster.namespace}/apps/orders/db"
    assert bao.data(KV2, effective) == {"k": "confined-value"}
    assert status_of(cluster, "inside")["path"] == effective
    assert bao.list(kv_root) == [f"{cluster.namespace}/"], "something was written beside the prefix"


def test_a_path_climbing_out_of_the_prefix_is_a_configuration_error(
    vault_cluster: Cluster, bao: Bao, kv_root: str
) -> None:
    """The CRD's path pattern admits `..` segments (dots are valid in a segment): the operator
    refuses them with ProtocolConfigurationError before any request to Vault."""
    cluster = vault_cluster
    vault_connection(cluster, "confined", bao, token_auth(), path_prefix=f"{kv_root}/{{namespace}}")
    escape = f"escaped-{uuid.uuid4().hex[:8]}"
    cluster.apply(PLURAL, KIND, "climber", confined(f"app/../../{escape}"))  # accepted by the schema
    status = wait_ready_reason(cluster, "climber", "ProtocolConfigurationError")
    assert condition_status(cluster, "climber", "Stalled") == "True"
    last_error = status.get("lastError")
    assert isinstance(last_error, dict) and "'..'" in str(last_error.get("message")), status
    assert last_error.get("retryable") is False, last_error
    assert bao.list(kv_root) == [], "a climbing path wrote to Vault"
    assert bao.metadata(escape) is None and bao.metadata(f"{kv_root}/{escape}") is None


@pytest.mark.parametrize("path", ["/absolute/path", "app//double", "app/"])
def test_absolute_and_empty_segment_paths_are_refused_by_the_schema(
    vault_cluster: Cluster, path: str
) -> None:
    with pytest.raises(ApiException) as refused:
        vault_cluster.apply(PLURAL, KIND, "refused", confined(path))
    assert refused.value.status == 422, refused.value
    assert "spec.path" in str(refused.value.body), refused.value.body


def test_a_mount_of_another_kv_version_is_a_configuration_error(
    vault_cluster: Cluster, bao: Bao, kv_root: str
) -> None:
    """kvVersion 2 on the KV v1 mount would write a secret named `data/<path>`: refused first."""
    cluster, path = vault_cluster, f"{kv_root}/mismatch"
    cluster.apply(
        PLURAL, KIND, "mismatch", {"mount": KV1, "path": path, "data": [{"key": "k", "value": "v"}]}
    )
    status = wait_ready_reason(cluster, "mismatch", "ProtocolConfigurationError")
    assert "kvVersion" in str(status.get("lastError")), status
    assert bao.list(kv_root, KV1, kv_version=1) == [], "something was written to the KV v1 mount"
