"""VaultKv against the test-bed's real OpenBao: KV v2 and v1, token, AppRole and Kubernetes logins,
wrong credentials, a refused port and a sealed server. Paths are unique per test."""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator, Callable

import pytest
import requests
from pydantic import SecretStr

from onex_operator.errors import (
    InfraAuthenticationError,
    InfraConnectionError,
    InfraResourceUnavailableError,
    ProtocolConfigurationError,
    sanitize,
)
from onex_operator.models.model_generated_value import ModelGeneratedValue
from onex_operator.nodes.vault_adapter.client import VaultKv
from onex_operator.nodes.vault_adapter.enum_ownership import EnumOwnership
from onex_operator.nodes.vault_adapter.generate import generate_value
from onex_operator.nodes.vault_adapter.model_vault_client_config import (
    ModelVaultAppRoleLogin,
    ModelVaultClientConfig,
    ModelVaultKubernetesLogin,
    ModelVaultLogin,
    ModelVaultTokenLogin,
)
from onex_operator.nodes.vault_adapter.ownership import ownership_metadata, ownership_of
from onex_operator.testbed.components.openbao import (
    REVIEWER_SERVICE_ACCOUNT,
    ModelOpenBaoAccess,
    openbao_access,
    service_account_token,
)
from tests.conftest import RunningTestbed

pytestmark = pytest.mark.integration


@pytest.fixture
def bao(testbed: RunningTestbed) -> ModelOpenBaoAccess:
    return openbao_access(testbed.settings, testbed.credentials)


@pytest.fixture
def kube_jwt(testbed: RunningTestbed) -> Callable[..., str]:
    def mint(**kwargs: str) -> str:
        return service_account_token(testbed.settings, testbed.credentials, expiration_seconds=600, **kwargs)

    return mint


def _kv(bao: ModelOpenBaoAccess, auth: ModelVaultLogin, address: str | None = None) -> VaultKv:
    return VaultKv(ModelVaultClientConfig(address=address or bao.address, auth=auth))


def _root(bao: ModelOpenBaoAccess) -> ModelVaultTokenLogin:
    return ModelVaultTokenLogin(token=bao.root_token)


def _approle(bao: ModelOpenBaoAccess, secret_id: str | None = None) -> ModelVaultAppRoleLogin:
    return ModelVaultAppRoleLogin(
        role_id=bao.approle_role_id,
        secret_id=SecretStr(secret_id) if secret_id is not None else bao.approle_secret_id,
        mount_path=bao.approle_mount,
    )


def _path() -> str:
    return f"onex-it/{uuid.uuid4().hex}"


@pytest.fixture
async def root_kv(bao: ModelOpenBaoAccess) -> AsyncIterator[VaultKv]:
    kv = _kv(bao, _root(bao))
    yield kv
    kv.close()


async def test_kv2_write_read_metadata_and_delete_all_versions(
    root_kv: VaultKv, bao: ModelOpenBaoAccess
) -> None:
    cid, path, mount = uuid.uuid4(), _path(), bao.kv2_mount
    assert await root_kv.read(mount, path, 2, cid) is None
    try:
        assert (
            await root_kv.write(
                mount, path, {"user": "orders-app-user", "password": "first-pass-9c2d"}, 2, cid, cas=0
            )
            == 1
        )
        owner = ownership_metadata("team-a", "orders-db", "uid-1")
        await root_kv.write_custom_metadata(mount, path, owner, cid)
        assert (
            await root_kv.write(
                mount, path, {"user": "orders-app-user", "password": "second-pass-7e1a"}, 2, cid, cas=1
            )
            == 2
        )
        observed = await root_kv.read(mount, path, 2, cid)
        assert observed is not None
        assert observed.data == {"user": "orders-app-user", "password": "second-pass-7e1a"}
        assert observed.version == 2
        assert observed.custom_metadata == owner
        assert not observed.deleted and not observed.destroyed
        assert ownership_of(observed, "uid-1").ownership is EnumOwnership.OURS
        with pytest.raises(InfraResourceUnavailableError, match="concurrently"):
            await root_kv.write(mount, path, {"user": "concurrent-writer-3f"}, 2, cid, cas=1)
    finally:
        await root_kv.delete_everything(mount, path, 2, cid)
    assert await root_kv.read(mount, path, 2, cid) is None
    await root_kv.delete_everything(mount, path, 2, cid)  # absent: still fine


async def test_kv2_metadata_only_and_deleted_current_version(
    root_kv: VaultKv, bao: ModelOpenBaoAccess
) -> None:
    cid, path, mount = uuid.uuid4(), _path(), bao.kv2_mount
    try:
        await root_kv.write_custom_metadata(mount, path, {"managed-by": "onex-infra-operator"}, cid)
        metadata_only = await root_kv.read(mount, path, 2, cid)
        assert metadata_only is not None
        assert (metadata_only.version, metadata_only.data) == (0, {})
        assert metadata_only.custom_metadata == {"managed-by": "onex-infra-operator"}

        await root_kv.write(mount, path, {"k": "deleted-soon-value-2c"}, 2, cid)
        root = requests.delete(
            f"{bao.address}/v1/{mount}/data/{path}",
            headers={"X-Vault-Token": bao.root_token.get_secret_value()},
            timeout=10,
        )
        assert root.status_code == 204
        deleted = await root_kv.read(mount, path, 2, cid)
        assert deleted is not None
        assert deleted.deleted and not deleted.has_data
        assert deleted.version == 1
        assert deleted.custom_metadata == {"managed-by": "onex-infra-operator"}
    finally:
        await root_kv.delete_everything(mount, path, 2, cid)


async def test_kv1_write_read_delete(root_kv: VaultKv, bao: ModelOpenBaoAccess) -> None:
    cid, path, mount = uuid.uuid4(), _path(), bao.kv1_mount
    assert await root_kv.read(mount, path, 1, cid) is None
    assert await root_kv.write(mount, path, {"a": "kv1-value-one"}, 1, cid) is None
    observed = await root_kv.read(mount, path, 1, cid)
    assert observed is not None
    assert (observed.kv_version, observed.data, observed.version) == (1, {"a": "kv1-value-one"}, None)
    await root_kv.delete_everything(mount, path, 1, cid)
    assert await root_kv.read(mount, path, 1, cid) is None


async def test_values_read_are_registered_with_the_sanitizer(
    root_kv: VaultKv, bao: ModelOpenBaoAccess
) -> None:
    cid, path, mount = uuid.uuid4(), _path(), bao.kv2_mount
    # written by someone else (raw HTTP), so only the read can have registered it
    canary = f"canary-{uuid.uuid4().hex}"
    answer = requests.post(
        f"{bao.address}/v1/{mount}/data/{path}",
        json={"data": {"k": canary}},
        headers={"X-Vault-Token": bao.root_token.get_secret_value()},
        timeout=10,
    )
    assert answer.status_code == 200
    try:
        assert canary in sanitize(canary)
        observed = await root_kv.read(mount, path, 2, cid)
        assert observed is not None and observed.data == {"k": canary}
        assert canary not in sanitize(f"value {canary}")
        assert canary not in repr(observed)
    finally:
        await root_kv.delete_everything(mount, path, 2, cid)


async def test_mount_of_the_wrong_kv_version_is_refused(root_kv: VaultKv, bao: ModelOpenBaoAccess) -> None:
    with pytest.raises(ProtocolConfigurationError, match="version 1"):
        await root_kv.write(bao.kv1_mount, _path(), {"a": "never-written-value-8d0c"}, 2, uuid.uuid4())
    with pytest.raises(ProtocolConfigurationError, match="version 2"):
        await root_kv.read(bao.kv2_mount, _path(), 1, uuid.uuid4())


async def test_approle_login_and_relogin_after_revocation(bao: ModelOpenBaoAccess) -> None:
    kv = _kv(bao, _approle(bao))
    cid, path = uuid.uuid4(), _path()
    value = generate_value(ModelGeneratedValue(length=24))
    try:
        await kv.verify_login(cid)
        assert await kv.write(bao.kv2_mount, path, {"password": value}, 2, cid) == 1
        # revoke the login token behind the client's back: the next call logs in again by itself
        login_token = kv._client.token
        revoked = requests.post(
            f"{bao.address}/v1/auth/token/revoke",
            json={"token": login_token},
            headers={"X-Vault-Token": bao.root_token.get_secret_value()},
            timeout=10,
        )
        assert revoked.status_code == 204
        observed = await kv.read(bao.kv2_mount, path, 2, cid)
        assert observed is not None and observed.data == {"password": value}
        assert kv._client.token != login_token
        await kv.delete_everything(bao.kv2_mount, path, 2, cid)
    finally:
        kv.close()


async def test_kubernetes_login(bao: ModelOpenBaoAccess, kube_jwt: Callable[..., str]) -> None:
    auth = ModelVaultKubernetesLogin(
        role=bao.kubernetes_role, jwt=SecretStr(kube_jwt()), mount_path=bao.kubernetes_mount
    )
    kv = _kv(bao, auth)
    cid, path = uuid.uuid4(), _path()
    try:
        await kv.verify_login(cid)
        assert await kv.write(bao.kv2_mount, path, {"k": "kube-login-value"}, 2, cid) == 1
        observed = await kv.read(bao.kv2_mount, path, 2, cid)
        assert observed is not None and observed.data == {"k": "kube-login-value"}
        await kv.delete_everything(bao.kv2_mount, path, 2, cid)
    finally:
        kv.close()


async def _refused(kv: VaultKv) -> InfraAuthenticationError:
    try:
        with pytest.raises(InfraAuthenticationError) as raised:
            await kv.read("secret", _path(), 2, uuid.uuid4())
        return raised.value
    finally:
        kv.close()


async def test_wrong_credentials_are_authentication_errors(
    bao: ModelOpenBaoAccess, kube_jwt: Callable[..., str]
) -> None:
    wrong_token = f"s.{uuid.uuid4().hex[:24]}"
    refused = await _refused(_kv(bao, ModelVaultTokenLogin(token=SecretStr(wrong_token))))
    assert wrong_token not in str(refused)

    wrong_secret_id = f"wrong-{uuid.uuid4()}"
    refused = await _refused(_kv(bao, _approle(bao, wrong_secret_id)))
    assert refused.context.operation == "login"
    assert wrong_secret_id not in str(refused)

    # a real token of a ServiceAccount the role is not bound to, and a forged one
    for jwt in (kube_jwt(name=REVIEWER_SERVICE_ACCOUNT), kube_jwt()[:-8] + "AAAAAAAA"):
        auth = ModelVaultKubernetesLogin(role=bao.kubernetes_role, jwt=SecretStr(jwt))
        refused = await _refused(_kv(bao, auth))
        assert refused.context.operation == "login"
        assert jwt not in str(refused)


async def test_refused_port_is_a_connection_error(bao: ModelOpenBaoAccess) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    kv = _kv(bao, _root(bao), address=f"http://127.0.0.1:{port}")
    try:
        with pytest.raises(InfraConnectionError) as raised:
            await kv.read(bao.kv2_mount, _path(), 2, uuid.uuid4())
        assert raised.value.context.target_name.startswith(f"http://127.0.0.1:{port}/")
    finally:
        kv.close()


async def test_sealed_is_resource_unavailable_then_unsealed(bao: ModelOpenBaoAccess) -> None:
    assert bao.unseal_key.get_secret_value(), "the test-bed kept no unseal key"
    root = {"X-Vault-Token": bao.root_token.get_secret_value()}
    kv = _kv(bao, _approle(bao))
    cid, path = uuid.uuid4(), _path()
    try:
        await kv.write(bao.kv2_mount, path, {"k": "before-seal-6a3b"}, 2, cid)
        sealed = requests.put(f"{bao.address}/v1/sys/seal", headers=root, timeout=10)
        assert sealed.status_code == 204
        assert (await kv.seal_status(cid)).sealed
        with pytest.raises(InfraResourceUnavailableError, match="sealed"):
            await kv.read(bao.kv2_mount, path, 2, cid)
        fresh = _kv(bao, _approle(bao))  # a login while sealed is refused the same way
        try:
            with pytest.raises(InfraResourceUnavailableError, match="sealed"):
                await fresh.verify_login(cid)
        finally:
            fresh.close()
    finally:
        unsealed = requests.put(
            f"{bao.address}/v1/sys/unseal", json={"key": bao.unseal_key.get_secret_value()}, timeout=10
        )
        assert unsealed.status_code == 200, unsealed.text
    try:
        status = await kv.seal_status(cid)
        assert status.ready
        observed = await kv.read(bao.kv2_mount, path, 2, cid)
        assert observed is not None and observed.data == {"k": "before-seal-6a3b"}
        await kv.delete_everything(bao.kv2_mount, path, 2, cid)
    finally:
        kv.close()
