"""Kafka errors -> the ONEX taxonomy. Only taxonomy errors leave the kafka adapter."""

from __future__ import annotations

from uuid import UUID

from confluent_kafka import KafkaError, KafkaException

from onex_operator.errors import (
    InfraAuthenticationError,
    InfraConnectionError,
    InfraResourceUnavailableError,
    InfraTimeoutError,
    ModelInfraErrorContext,
    ProtocolConfigurationError,
    RuntimeHostError,
)
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType

_TIMEOUT = {KafkaError._TIMED_OUT, KafkaError.REQUEST_TIMED_OUT}
_CONNECTION = {
    KafkaError._TRANSPORT,
    KafkaError._ALL_BROKERS_DOWN,
    KafkaError._RESOLVE,
    KafkaError.NETWORK_EXCEPTION,
}
_AUTHENTICATION = {
    KafkaError._AUTHENTICATION,
    KafkaError.SASL_AUTHENTICATION_FAILED,
    KafkaError.TOPIC_AUTHORIZATION_FAILED,
    KafkaError.CLUSTER_AUTHORIZATION_FAILED,
}
_UNSUPPORTED = {KafkaError._UNSUPPORTED_FEATURE, KafkaError.UNSUPPORTED_VERSION, KafkaError.INVALID_REQUEST}
# The Kafka API behind each admin operation (KafkaTopicAdmin), so an unsupported-feature message
# names the API a broker lacks even when the client's own text does not (a broker's
# UNSUPPORTED_VERSION says only "Unsupported version").
_KAFKA_API = {
    "describe_topics": "Metadata",
    "describe_configs": "DescribeConfigs",
    "create_topics": "CreateTopics",
    "alter_configs": "IncrementalAlterConfigs",
    "create_partitions": "CreatePartitions",
    "delete_topics": "DeleteTopics",
}
_CONFIGURATION = {
    KafkaError.INVALID_PARTITIONS,
    KafkaError.INVALID_REPLICATION_FACTOR,
    KafkaError.INVALID_REPLICA_ASSIGNMENT,
    KafkaError.INVALID_CONFIG,
    KafkaError.TOPIC_EXCEPTION,
    KafkaError.POLICY_VIOLATION,
}

_BY_CODE: list[tuple[set[int], type[RuntimeHostError]]] = [
    (_TIMEOUT, InfraTimeoutError),
    (_CONNECTION, InfraConnectionError),
    (_CONFIGURATION, ProtocolConfigurationError),
]


def kafka_error_of(error: BaseException) -> KafkaError | None:
    if isinstance(error, KafkaException) and error.args and isinstance(error.args[0], KafkaError):
        return error.args[0]
    return None


def translate(
    error: BaseException,
    *,
    operation: str,
    target: str,
    correlation_id: UUID,
    authentication_failure: str | None = None,
) -> RuntimeHostError:
    """The taxonomy error for a failed admin call. `authentication_failure` is the broker's refusal
    reported through the client's error callback: librdkafka then fails the call itself only with a
    transport error."""
    context = ModelInfraErrorContext(
        transport_type=EnumInfraTransportType.KAFKA,
        operation=operation,
        target_name=target,
        correlation_id=correlation_id,
    )
    kafka_error = kafka_error_of(error)
    if kafka_error is None:
        return _without_kafka_error(error, operation, context)
    code = kafka_error.code()
    if code in _AUTHENTICATION or (authentication_failure and code in _CONNECTION | _TIMEOUT):
        detail = f" ({authentication_failure})" if authentication_failure else ""
        message = f"Kafka refused the credentials for {operation}{detail}"
        return InfraAuthenticationError(message, context=context)
    if code in _UNSUPPORTED:
        api = _KAFKA_API.get(operation, operation)
        return InfraResourceUnavailableError(
            f"the broker does not support {operation} (missing Kafka API: {api}; "
            f"{kafka_error.name()}): {kafka_error.str()}",
            context=context,
        )
    text = f"Kafka {operation} failed: {kafka_error.name()}: {kafka_error.str()}"
    return _error_class(kafka_error)(text, context=context)


def _error_class(kafka_error: KafkaError) -> type[RuntimeHostError]:
    for codes, error_class in _BY_CODE:
        if kafka_error.code() in codes:
            return error_class
    return InfraResourceUnavailableError if kafka_error.retriable() else ProtocolConfigurationError


def _without_kafka_error(
    error: BaseException, operation: str, context: ModelInfraErrorContext
) -> RuntimeHostError:
    if isinstance(error, TimeoutError):
        return InfraTimeoutError(f"Kafka {operation} exceeded its contract timeout", context=context)
    return InfraConnectionError(f"Kafka {operation} failed: {type(error).__name__}: {error}", context=context)
