"""The test-bed's OpenBao serves the Vault API: KV v2 and v1, AppRole and Kubernetes auth, and a kept
unseal key."""

from __future__ import annotations

import uuid

import hvac
import pytest

from onex_operator.testbed.components.openbao import (
    POLICY,
    openbao_access,
    service_account_token,
    unseal_key_path,
)
from tests.conftest import RunningTestbed

pytestmark = pytest.mark.integration


def _root(testbed: RunningTestbed) -> hvac.Client:
    client = hvac.Client(url=testbed.env["VAULT_ADDR"], token=testbed.env["VAULT_TOKEN"])
    assert client.is_authenticated()
    return client


def test_kv2_write_and_read(testbed: RunningTestbed) -> None:
    client = _root(testbed)
    path = f"testbed/{uuid.uuid4().hex[:8]}"
    client.secrets.kv.v2.create_or_update_secret(path=path, secret={"answer": "42"}, mount_point="secret")
    read = client.secrets.kv.v2.read_secret_version(
        path=path, mount_point="secret", raise_on_deleted_version=True
    )
    assert read["data"]["data"] == {"answer": "42"}
    assert read["data"]["metadata"]["version"] == 1


def test_approle_login(testbed: RunningTestbed) -> None:
    client = _root(testbed)
    mount = f"approle-{uuid.uuid4().hex[:6]}"
    client.sys.enable_auth_method("approle", path=mount)
    try:
        client.auth.approle.create_or_update_approle(
            "testbed-role", token_policies=["default"], mount_point=mount
        )
        role_id = client.auth.approle.read_role_id("testbed-role", mount_point=mount)["data"]["role_id"]
        secret_id = client.auth.approle.generate_secret_id("testbed-role", mount_point=mount)["data"][
            "secret_id"
        ]
        app = hvac.Client(url=testbed.env["VAULT_ADDR"])
        login = app.auth.approle.login(role_id=role_id, secret_id=secret_id, mount_point=mount)
        assert login["auth"]["client_token"]
        assert app.is_authenticated()
        with pytest.raises(hvac.exceptions.InvalidRequest):
            app.auth.approle.login(role_id=role_id, secret_id="wrong", mount_point=mount)
    finally:
        client.sys.disable_auth_method(mount)


def test_kv1_mount_policy_and_unseal_key(testbed: RunningTestbed) -> None:
    access = openbao_access(testbed.settings, testbed.credentials)
    client = _root(testbed)
    mounts = client.sys.list_mounted_secrets_engines()["data"]
    assert mounts[f"{access.kv1_mount}/"]["options"]["version"] == "1"
    assert mounts[f"{access.kv2_mount}/"]["options"]["version"] == "2"
    assert POLICY in client.sys.list_acl_policies()["data"]["keys"]
    key_file = unseal_key_path(testbed.settings)
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert access.unseal_key.get_secret_value()
    assert access.unseal_key.get_secret_value() not in repr(access)


def test_testbed_approle_role_logs_in(testbed: RunningTestbed) -> None:
    access = openbao_access(testbed.settings, testbed.credentials)
    assert testbed.env["ONEX_TESTBED_VAULT_APPROLE_ROLE_ID"] == access.approle_role_id
    app = hvac.Client(url=access.address, token="")
    login = app.auth.approle.login(
        role_id=access.approle_role_id,
        secret_id=access.approle_secret_id.get_secret_value(),
        mount_point=access.approle_mount,
    )
    assert POLICY in login["auth"]["token_policies"]


def test_testbed_kubernetes_role_logs_in_with_a_service_account_token(testbed: RunningTestbed) -> None:
    access = openbao_access(testbed.settings, testbed.credentials)
    assert testbed.env["ONEX_TESTBED_VAULT_SERVICE_ACCOUNT"] == (
        f"{access.service_account_namespace}/{access.service_account_name}"
    )
    jwt = service_account_token(testbed.settings, testbed.credentials, expiration_seconds=600)
    app = hvac.Client(url=access.address, token="")
    login = app.auth.kubernetes.login(
        role=access.kubernetes_role, jwt=jwt, mount_point=access.kubernetes_mount
    )
    assert POLICY in login["auth"]["token_policies"]
    assert login["auth"]["metadata"]["service_account_name"] == access.service_account_name
    with pytest.raises(hvac.exceptions.VaultError):
        app.auth.kubernetes.login(role=access.kubernetes_role, jwt=jwt[:-8] + "AAAAAAAA")
