"""Everything needed to talk to one Vault or OpenBao server as one identity.

Frozen and comparable: a changed credential makes an unequal config, so a cached client is replaced.
Credentials are `SecretStr`: neither repr nor str shows them (equality still compares them).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from onex_operator.nodes.vault_adapter.enum_vault_auth_method import EnumVaultAuthMethod


class ModelVaultTokenLogin(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    method: Literal[EnumVaultAuthMethod.TOKEN] = EnumVaultAuthMethod.TOKEN
    token: SecretStr


class ModelVaultAppRoleLogin(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    method: Literal[EnumVaultAuthMethod.APP_ROLE] = EnumVaultAuthMethod.APP_ROLE
    role_id: str = Field(min_length=1)
    secret_id: SecretStr
    mount_path: str = Field(default="approle", min_length=1)


class ModelVaultKubernetesLogin(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    method: Literal[EnumVaultAuthMethod.KUBERNETES] = EnumVaultAuthMethod.KUBERNETES
    role: str = Field(min_length=1)
    # the service-account token Vault reviews against the Kubernetes API
    jwt: SecretStr
    mount_path: str = Field(default="kubernetes", min_length=1)


ModelVaultLogin = Annotated[
    ModelVaultTokenLogin | ModelVaultAppRoleLogin | ModelVaultKubernetesLogin,
    Field(discriminator="method"),
]


class ModelVaultClientConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    address: str = Field(min_length=1)
    # Vault Enterprise / OpenBao namespace (X-Vault-Namespace); not the Kubernetes namespace
    vault_namespace: str | None = None
    auth: ModelVaultLogin

    @property
    def target(self) -> str:
        """The server address without a trailing slash, for error targets and logs."""
        return self.address.rstrip("/")
