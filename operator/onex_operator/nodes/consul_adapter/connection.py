"""A ConsulService's connectionRef -> the client configuration for its Consul agent, the ACL token
read from the resource's own namespace."""

from __future__ import annotations

from uuid import UUID

from onex_operator.errors import ModelInfraErrorContext, ProtocolConfigurationError
from onex_operator.kube.api import KubeApi
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType
from onex_operator.models.model_connection_ref import ModelConnectionRef
from onex_operator.nodes.connection_resolver.resolve import resolve_connection, secret_value
from onex_operator.nodes.consul_adapter.model_consul_client_config import ModelConsulClientConfig

_CONSUL = EnumInfraTransportType.CONSUL


async def consul_client_config(
    kube: KubeApi, namespace: str, ref: ModelConnectionRef, correlation_id: UUID
) -> tuple[str, ModelConsulClientConfig]:
    """The connection's label and the client configuration (the token is registered with the
    sanitizer by `secret_value` as it is read)."""
    resolved = await resolve_connection(kube, namespace, ref, _CONSUL, correlation_id)
    consul = resolved.spec.consul
    if consul is None:
        raise ProtocolConfigurationError(
            f"connection {resolved.label} has no consul section",
            context=ModelInfraErrorContext(
                transport_type=_CONSUL,
                operation="resolve_connection",
                target_name=resolved.label,
                correlation_id=correlation_id,
            ),
        )
    token = (
        await secret_value(kube, namespace, consul.token_secret_ref, _CONSUL, correlation_id)
        if consul.token_secret_ref is not None
        else None
    )
    config = ModelConsulClientConfig(address=consul.address, datacenter=consul.datacenter, token=token)
    return resolved.label, config
