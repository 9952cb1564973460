"""A KafkaTopic's connectionRef -> the client configuration for its Kafka cluster."""

from __future__ import annotations

from uuid import UUID

from onex_operator.errors import ModelInfraErrorContext, ProtocolConfigurationError
from onex_operator.kube.api import KubeApi
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType
from onex_operator.models.model_connection_ref import ModelConnectionRef
from onex_operator.nodes.connection_resolver.resolve import resolve_connection, secret_value
from onex_operator.nodes.kafka_adapter.model_kafka_client_config import ModelKafkaClientConfig

_KAFKA = EnumInfraTransportType.KAFKA


async def kafka_client_config(
    kube: KubeApi, namespace: str, ref: ModelConnectionRef, correlation_id: UUID
) -> tuple[str, ModelKafkaClientConfig]:
    """The connection's label and the client configuration, the SASL password read from the
    resource's own namespace."""
    resolved = await resolve_connection(kube, namespace, ref, _KAFKA, correlation_id)
    kafka = resolved.spec.kafka
    if kafka is None:
        raise ProtocolConfigurationError(
            f"connection {resolved.label} has no kafka section",
            context=ModelInfraErrorContext(
                transport_type=_KAFKA,
                operation="resolve_connection",
                target_name=resolved.label,
                correlation_id=correlation_id,
            ),
        )
    config = ModelKafkaClientConfig(
        bootstrap_servers=tuple(kafka.bootstrap_servers), security_protocol=kafka.security_protocol
    )
    if kafka.sasl is not None:
        password = await secret_value(kube, namespace, kafka.sasl.password_secret_ref, _KAFKA, correlation_id)
        config = config.model_copy(
            update={
                "sasl_mechanism": kafka.sasl.mechanism,
                "sasl_username": kafka.sasl.username,
                "sasl_password": password,
            }
        )
    return resolved.label, config
