"""The three ways a connection logs in to OpenBao (token, AppRole, Kubernetes service account):
each reaches Ready, and a wrong credential of each is InfraAuthenticationError (Stalled) until the
credential is fixed, with no change to the VaultSecret."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from kubernetes.client import ApiClient

from onex_operator.testbed.components.openbao import REVIEWER_SERVICE_ACCOUNT, service_account_token
from tests.conftest import RunningTestbed
from tests.e2e.conftest import Cluster, running_operator
from tests.e2e.vault_helpers import (
    KIND,
    KV2,
    PLURAL,
    Bao,
    condition_status,
    own_cluster,
    token_auth,
    vault_connection,
    wait_ready,
    wait_ready_reason,
)

pytestmark = pytest.mark.e2e
AUTH_FAILED = "InfraAuthenticationError"
KUBE_PREFIX = "e2e-vauth-"  # the namespace is watched only by the test's own operator


def approle_auth(role_id: str, secret: str = "approle-credentials") -> dict[str, object]:
    return {"appRole": {"roleId": role_id, "secretIdSecretRef": {"name": secret, "key": "secret-id"}}}


def secret_on(connection: str, path: str) -> dict[str, object]:
    return {
        "path": path,
        "connectionRef": {"kind": "InfraConnection", "name": connection},
        "data": [{"key": "k", "value": f"via-{connection}"}],
    }


def assert_stalled_by_authentication(cluster: Cluster, name: str) -> None:
    status = wait_ready_reason(cluster, name, AUTH_FAILED)
    last_error = status.get("lastError")
    assert isinstance(last_error, dict), status
    assert last_error["errorClass"] == AUTH_FAILED and last_error["transport"] == "vault", last_error
    assert uuid.UUID(str(last_error["correlationId"])), last_error
    assert condition_status(cluster, name, "Stalled") == "True"
    assert any(event.reason == AUTH_FAILED for event in cluster.events(name)), "no Event for the failure"


def test_token_auth(vault_cluster: Cluster, bao: Bao, kv_root: str, testbed: RunningTestbed) -> None:
    cluster, path = vault_cluster, f"{kv_root}/token"
    cluster.put_secret("token-credentials", {"token": f"s.wrong{uuid.uuid4().hex}"})
    vault_connection(cluster, "by-token", bao, token_auth("token-credentials", "token"))
    cluster.apply(PLURAL, KIND, "by-token", secret_on("by-token", path))
    assert_stalled_by_authentication(cluster, "by-token")
    assert bao.metadata(path) is None

    cluster.put_secret("token-credentials", {"token": bao.child_token()})
    wait_ready(cluster, "by-token")
    assert bao.data(KV2, path) == {"k": "via-by-token"}
    assert condition_status(cluster, "by-token", "Stalled") == "False"


@pytest.mark.parametrize("wrong", ["secret-id", "role-id"])
def test_approle_auth(
    vault_cluster: Cluster, bao: Bao, kv_root: str, testbed: RunningTestbed, wrong: str
) -> None:
    cluster, path = vault_cluster, f"{kv_root}/approle"
    role_id = testbed.env["ONEX_TESTBED_VAULT_APPROLE_ROLE_ID"]
    secret_id = testbed.env["ONEX_TESTBED_VAULT_APPROLE_SECRET_ID"]
    bad_role_id = str(uuid.uuid4()) if wrong == "role-id" else role_id
    bad_secret_id = str(uuid.uuid4()) if wrong == "secret-id" else secret_id
    cluster.put_secret("approle-credentials", {"secret-id": bad_secret_id})
    vault_connection(cluster, "by-approle", bao, approle_auth(bad_role_id))
    cluster.apply(PLURAL, KIND, "by-approle", secret_on("by-approle", path))
    assert_stalled_by_authentication(cluster, "by-approle")
    assert bao.metadata(path) is None

    cluster.put_secret("approle-credentials", {"secret-id": secret_id})
    vault_connection(cluster, "by-approle", bao, approle_auth(role_id))
    wait_ready(cluster, "by-approle")
    assert bao.data(KV2, path) == {"k": "via-by-approle"}


def test_kubernetes_auth_reads_the_token_file_at_each_resolve(
    api: ApiClient, testbed: RunningTestbed, bao: Bao, kv_root: str, tmp_path: Path
) -> None:
    """The operator's service-account token file first holds a token of another ServiceAccount
    (OpenBao's role is bound to onex-system/onex-operator only), then the right one, as a rotated
    projected token would: no restart, no change to the VaultSecret."""
    path = f"{kv_root}/kubernetes"
    token_file = tmp_path / "token"

    namespace, account = testbed.env["ONEX_TESTBED_VAULT_SERVICE_ACCOUNT"].split("/")

    def mint(name: str) -> str:
        return service_account_token(
            testbed.settings, testbed.credentials, namespace=namespace, name=name, expiration_seconds=600
        )

    token_file.write_text(mint(REVIEWER_SERVICE_ACCOUNT))
    role = testbed.env["ONEX_TESTBED_VAULT_KUBERNETES_ROLE"]
    flags = ["--service-account-token-file", str(token_file)]
    with (
        own_cluster(api, testbed, KUBE_PREFIX) as cluster,
        running_operator(testbed, tmp_path, cluster.namespace, "4s", "2s", extra_args=flags) as operator,
    ):
        vault_connection(cluster, "by-kubernetes", bao, {"kubernetes": {"role": role}})
        cluster.apply(PLURAL, KIND, "by-kubernetes", secret_on("by-kubernetes", path))
        assert_stalled_by_authentication(cluster, "by-kubernetes")
        assert bao.metadata(path) is None

        token_file.write_text(mint(account))
        wait_ready(cluster, "by-kubernetes")
        assert bao.data(KV2, path) == {"k": "via-by-kubernetes"}
        assert "logged in (kubernetes)" in operator.log()
