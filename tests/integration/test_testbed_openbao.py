"""The test-bed's OpenBao serves the Vault API: KV v2 and AppRole work through hvac."""

from __future__ import annotations

import uuid

import hvac
import pytest

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
