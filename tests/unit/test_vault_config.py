"""The Vault client config: credentials never shown, and a changed credential is a changed config."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from onex_operator.nodes.vault_adapter.model_vault_client_config import (
    ModelVaultAppRoleLogin,
    ModelVaultClientConfig,
    ModelVaultKubernetesLogin,
    ModelVaultTokenLogin,
)

pytestmark = pytest.mark.unit

TOKEN = "s.canarytoken0123456789abc"
SECRET_ID = "canary-secret-id-0f3a"
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"


def _configs() -> list[ModelVaultClientConfig]:
    return [
        ModelVaultClientConfig(address="http://v:8200", auth=ModelVaultTokenLogin(token=SecretStr(TOKEN))),
        ModelVaultClientConfig(
            address="http://v:8200",
            vault_namespace="team",
            auth=ModelVaultAppRoleLogin(role_id="role-id", secret_id=SecretStr(SECRET_ID)),
        ),
        ModelVaultClientConfig(
            address="http://v:8200/", auth=ModelVaultKubernetesLogin(role="operator", jwt=SecretStr(JWT))
        ),
    ]


@pytest.mark.parametrize("config", _configs())
def test_repr_and_str_hide_credentials(config: ModelVaultClientConfig) -> None:
    for text in (repr(config), str(config), repr(config.auth), config.model_dump_json()):
        for credential in (TOKEN, SECRET_ID, JWT):
            assert credential not in text


def test_equality_follows_every_credential() -> None:
    first, second, third = _configs()
    assert first == _configs()[0]
    assert hash(first) == hash(_configs()[0])
    assert first != first.model_copy(update={"auth": ModelVaultTokenLogin(token=SecretStr(TOKEN + "x"))})
    assert second != second.model_copy(
        update={"auth": ModelVaultAppRoleLogin(role_id="role-id", secret_id=SecretStr("other"))}
    )
    assert third != third.model_copy(
        update={"auth": ModelVaultKubernetesLogin(role="operator", jwt=SecretStr(JWT + "x"))}
    )
    assert second != second.model_copy(update={"vault_namespace": "other"})


def test_auth_is_discriminated_and_target_is_trimmed() -> None:
    config = ModelVaultClientConfig.model_validate(
        {"address": "http://v:8200/", "auth": {"method": "app-role", "role_id": "r", "secret_id": "s"}}
    )
    assert isinstance(config.auth, ModelVaultAppRoleLogin)
    assert config.auth.mount_path == "approle"
    assert config.target == "http://v:8200"
