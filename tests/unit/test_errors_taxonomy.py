from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from onex_operator.errors import (
    EnumInfraTransportType,
    InfraAuthenticationError,
    InfraConnectionError,
    InfraResourceUnavailableError,
    InfraTimeoutError,
    ModelInfraErrorContext,
    OnexError,
    ProtocolConfigurationError,
    RuntimeHostError,
    SecretResolutionError,
)

pytestmark = pytest.mark.unit

SIX_CLASSES = [
    ProtocolConfigurationError,
    SecretResolutionError,
    InfraConnectionError,
    InfraTimeoutError,
    InfraAuthenticationError,
    InfraResourceUnavailableError,
]


def _context(**overrides: object) -> ModelInfraErrorContext:
    values: dict[str, object] = {
        "transport_type": EnumInfraTransportType.KAFKA,
        "operation": "create_topics",
        "target_name": "orders",
    }
    values.update(overrides)
    return ModelInfraErrorContext.model_validate(values)


@pytest.mark.parametrize("cls", SIX_CLASSES)
def test_every_class_is_a_runtime_host_error_and_an_onex_error(cls: type[RuntimeHostError]) -> None:
    error = cls("boom", context=_context())
    assert isinstance(error, RuntimeHostError)
    assert isinstance(error, OnexError)
    assert isinstance(error, Exception)


def test_transport_enum_has_the_seven_transports() -> None:
    assert {t.value for t in EnumInfraTransportType} == {
        "http",
        "db",
        "kafka",
        "consul",
        "vault",
        "redis",
        "grpc",
    }


def test_chaining_keeps_the_cause() -> None:
    cause = ConnectionRefusedError("connection refused by broker-0:9092")
    with pytest.raises(InfraConnectionError) as caught:
        try:
            raise cause
        except ConnectionRefusedError as error:
            raise InfraConnectionError("broker unreachable", context=_context()) from error
    assert caught.value.__cause__ is cause


def test_a_given_correlation_id_is_propagated() -> None:
    correlation_id = uuid4()
    error = InfraTimeoutError("slow", context=_context(correlation_id=correlation_id))
    assert error.correlation_id == correlation_id
    assert error.context.correlation_id == correlation_id
    assert str(correlation_id) in str(error)


def test_a_missing_correlation_id_is_a_fresh_uuid4() -> None:
    first = _context().correlation_id
    second = _context().correlation_id
    assert isinstance(first, UUID)
    assert first.version == 4
    assert first != second
    assert OnexError("x").correlation_id.version == 4


def test_str_names_transport_operation_and_target() -> None:
    text = str(InfraAuthenticationError("token rejected", context=_context(operation="describe_topics")))
    assert "token rejected" in text
    assert "transport=kafka" in text
    assert "operation=describe_topics" in text
    assert "target=orders" in text


def test_messages_and_targets_are_sanitized_when_made() -> None:
    error = SecretResolutionError(
        "could not log in with password=hunter2hunter2",
        context=_context(
            transport_type=EnumInfraTransportType.DB,
            target_name="postgresql://app:s3cr3t-pw@db:5432/orders",
            extra={"dsn": "postgresql://app:s3cr3t-pw@db:5432/orders", "port": 5432},
        ),
    )
    assert "hunter2hunter2" not in str(error)
    assert "hunter2hunter2" not in repr(error)
    assert "s3cr3t-pw" not in error.context.target_name
    assert "s3cr3t-pw" not in str(error.context.extra["dsn"])
    assert error.context.target_name == "postgresql://app:***@db:5432/orders"
    assert error.context.extra["port"] == 5432
