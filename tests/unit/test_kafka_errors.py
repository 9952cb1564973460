"""Kafka's error codes -> the taxonomy, as conditions will show them."""

from __future__ import annotations

import uuid

import pytest
from confluent_kafka import KafkaError, KafkaException

from onex_operator.errors import (
    InfraAuthenticationError,
    InfraConnectionError,
    InfraResourceUnavailableError,
    InfraTimeoutError,
    ProtocolConfigurationError,
    RuntimeHostError,
)
from onex_operator.nodes.kafka_adapter.errors import translate

pytestmark = pytest.mark.unit


def _translated(code: int, auth: str | None = None) -> RuntimeHostError:
    return translate(
        KafkaException(KafkaError(code)),
        operation="create_partitions",
        target="127.0.0.1:9092/t",
        correlation_id=uuid.uuid4(),
        authentication_failure=auth,
    )


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (KafkaError._TRANSPORT, InfraConnectionError),
        (KafkaError._ALL_BROKERS_DOWN, InfraConnectionError),
        (KafkaError._TIMED_OUT, InfraTimeoutError),
        (KafkaError.SASL_AUTHENTICATION_FAILED, InfraAuthenticationError),
        (KafkaError.TOPIC_AUTHORIZATION_FAILED, InfraAuthenticationError),
        (KafkaError.INVALID_PARTITIONS, ProtocolConfigurationError),
        (KafkaError.POLICY_VIOLATION, ProtocolConfigurationError),
    ],
)
def test_codes_map_to_their_class(code: int, expected: type[RuntimeHostError]) -> None:
    assert type(_translated(code)) is expected


def test_a_missing_broker_feature_is_named() -> None:
    error = _translated(KafkaError.UNSUPPORTED_VERSION)
    assert isinstance(error, InfraResourceUnavailableError)
    assert "does not support create_partitions" in error.message
    assert "UNSUPPORTED_VERSION" in error.message


@pytest.mark.parametrize(
    ("operation", "api"),
    [
        ("create_partitions", "CreatePartitions"),
        ("alter_configs", "IncrementalAlterConfigs"),
        ("create_topics", "CreateTopics"),
        ("delete_topics", "DeleteTopics"),
        ("describe_configs", "DescribeConfigs"),
    ],
)
def test_the_missing_kafka_api_is_named_even_when_the_broker_says_only_unsupported_version(
    operation: str, api: str
) -> None:
    error = translate(
        KafkaException(KafkaError(KafkaError.UNSUPPORTED_VERSION, "Broker: Unsupported version")),
        operation=operation,
        target="b:1/t",
        correlation_id=uuid.uuid4(),
    )
    assert isinstance(error, InfraResourceUnavailableError)
    assert f"missing Kafka API: {api}" in error.message


def test_a_feature_the_client_knows_the_broker_lacks_is_unavailable_not_a_configuration_error() -> None:
    # what librdkafka reports against tansu, which has no CreatePartitions
    text = "CreatePartitions (KIP-195) not supported by broker, requires broker version >= 1.0.0"
    error = translate(
        KafkaException(KafkaError(KafkaError._UNSUPPORTED_FEATURE, text)),
        operation="create_partitions",
        target="b:1/t",
        correlation_id=uuid.uuid4(),
    )
    assert isinstance(error, InfraResourceUnavailableError)
    assert "does not support create_partitions (missing Kafka API: CreatePartitions;" in error.message
    assert text in error.message


def test_a_transport_failure_after_a_refused_login_is_an_authentication_error() -> None:
    error = _translated(KafkaError._TRANSPORT, auth="SASL authentication error: Invalid username or password")
    assert isinstance(error, InfraAuthenticationError)
    assert error.context.operation == "create_partitions"


def test_a_timeout_without_a_kafka_code_is_a_timeout() -> None:
    error = translate(
        TimeoutError(), operation="describe_topics", target="b:1/t", correlation_id=uuid.uuid4()
    )
    assert isinstance(error, InfraTimeoutError)
