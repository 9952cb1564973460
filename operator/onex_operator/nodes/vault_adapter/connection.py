"""A VaultSecret's connectionRef -> the client configuration for its Vault, with the credential of
the connection's auth method read from the resource's own namespace (or, for Kubernetes auth, the
operator's service-account token)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from onex_operator.errors import ModelInfraErrorContext, ProtocolConfigurationError, register_secret
from onex_operator.kube.api import KubeApi
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType
from onex_operator.models.model_connection_ref import ModelConnectionRef
from onex_operator.nodes.connection_resolver.resolve import resolve_connection, secret_value
from onex_operator.nodes.vault_adapter.model_vault_client_config import (
    ModelVaultAppRoleLogin,
    ModelVaultClientConfig,
    ModelVaultKubernetesLogin,
    ModelVaultLogin,
    ModelVaultTokenLogin,
)

_VAULT = EnumInfraTransportType.VAULT


@dataclass(frozen=True)
class VaultConnection:
    label: str  # namespace/name or cluster/name
    config: ModelVaultClientConfig
    path_prefix: str | None


async def vault_connection(
    kube: KubeApi, namespace: str, ref: ModelConnectionRef, token_path: Path, correlation_id: UUID
) -> VaultConnection:
    resolved = await resolve_connection(kube, namespace, ref, _VAULT, correlation_id)
    vault = resolved.spec.vault
    context = ModelInfraErrorContext(
        transport_type=_VAULT,
        operation="resolve_connection",
        target_name=resolved.label,
        correlation_id=correlation_id,
    )
    if vault is None:
        raise ProtocolConfigurationError(f"connection {resolved.label} has no vault section", context=context)
    auth = vault.auth
    login: ModelVaultLogin
    if auth.token is not None:
        token = await secret_value(kube, namespace, auth.token.secret_ref, _VAULT, correlation_id)
        login = ModelVaultTokenLogin(token=token)
    elif auth.app_role is not None:
        secret_id = await secret_value(
            kube, namespace, auth.app_role.secret_id_secret_ref, _VAULT, correlation_id
        )
        login = ModelVaultAppRoleLogin(
            role_id=auth.app_role.role_id, secret_id=secret_id, mount_path=auth.app_role.mount_path
        )
    elif auth.kubernetes is not None:
        login = ModelVaultKubernetesLogin(
            role=auth.kubernetes.role,
            jwt=await _service_account_token(token_path, context),
            mount_path=auth.kubernetes.mount_path,
        )
    else:
        raise ProtocolConfigurationError(
            f"connection {resolved.label}: vault.auth names no method (token, appRole or kubernetes)",
            context=context,
        )
    config = ModelVaultClientConfig(address=vault.address, vault_namespace=vault.namespace, auth=login)
    return VaultConnection(label=resolved.label, config=config, path_prefix=vault.path_prefix)


async def _service_account_token(path: Path, context: ModelInfraErrorContext) -> str:
    """Read at every resolve: the kubelet rotates projected tokens."""
    try:
        token = (await asyncio.to_thread(path.read_text)).strip()
    except OSError as error:
        raise ProtocolConfigurationError(
            f"Kubernetes auth needs the operator's service-account token, and {path} cannot be read "
            "(set --service-account-token-file)",
            context=context,
        ) from error
    register_secret(token)
    return token
