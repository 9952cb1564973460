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


def test_a_transport_failure_after_a_refused_login_is_an_authentication_error() -> None:
    error = _translated(KafkaError._TRANSPORT, auth="SASL authentication error: Invalid username or password")
    assert isinstance(error, InfraAuthenticationError)
    assert error.context.operation == "create_partitions"


def test_a_timeout_without_a_kafka_code_is_a_timeout() -> None:
    error = translate(
        TimeoutError(), operation="describe_topics", target="b:1/t", correlation_id=uuid.uuid4()
    )
    assert isinstance(error, InfraTimeoutError)
