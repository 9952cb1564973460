"""py-consul and requests errors -> the taxonomy, with context and without secrets."""

from __future__ import annotations

import uuid

import pytest
import requests
from consul import exceptions as consul_errors

from onex_operator.errors import (
    InfraAuthenticationError,
    InfraConnectionError,
    InfraResourceUnavailableError,
    InfraTimeoutError,
    ProtocolConfigurationError,
    RuntimeHostError,
    register_secret,
)
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType
from onex_operator.nodes.consul_adapter.errors import translate

pytestmark = pytest.mark.unit

TARGET = "http://127.0.0.1:8500/shop-orders"


def translated(error: BaseException, operation: str = "register_service") -> RuntimeHostError:
    correlation_id = uuid.uuid4()
    result = translate(error, operation=operation, target=TARGET, correlation_id=correlation_id)
    assert result.context is not None
    assert result.context.transport_type is EnumInfraTransportType.CONSUL
    assert result.context.operation == operation
    assert result.context.target_name == TARGET
    assert result.context.correlation_id == correlation_id
    return result


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (consul_errors.ACLPermissionDenied("Permission denied"), InfraAuthenticationError),
        (consul_errors.ACLDisabled("ACL support disabled"), InfraAuthenticationError),
        (consul_errors.BadRequest("400 Invalid check: Interval must be > 0"), ProtocolConfigurationError),
        (consul_errors.Timeout("timeout"), InfraTimeoutError),
        (requests.exceptions.ConnectTimeout("connect timed out"), InfraConnectionError),
        (requests.exceptions.ReadTimeout("read timed out"), InfraTimeoutError),
        (TimeoutError(), InfraTimeoutError),
        (requests.exceptions.ConnectionError("refused"), InfraConnectionError),
        (ConnectionRefusedError("refused"), InfraConnectionError),
        (consul_errors.ClientError("429 rate limited"), InfraResourceUnavailableError),
        (consul_errors.ClientError("405 method not allowed"), ProtocolConfigurationError),
        (consul_errors.ConsulException("500 No cluster leader"), InfraResourceUnavailableError),
    ],
)
def test_class_of_each_failure(error: BaseException, expected: type[RuntimeHostError]) -> None:
    assert type(translated(error)) is expected


def test_a_rejected_check_carries_consuls_reason_without_the_status() -> None:
    error = translated(
        consul_errors.BadRequest(
            "400 Invalid check: Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks"
        )
    )
    assert "(Consul says: Invalid check: Interval must be > 0" in error.message
    assert "400" not in error.message


def test_permission_denied_names_the_permission_consul_reports() -> None:
    error = translated(
        consul_errors.ACLPermissionDenied(
            "Permission denied: token with AccessorID 'a1' lacks permission 'service:write' on \"orders\""
        )
    )
    assert "service:write" in error.message


def test_a_token_in_consuls_text_never_reaches_the_message() -> None:
    token = f"canary-{uuid.uuid4()}"
    register_secret(token)
    error = translated(consul_errors.ACLPermissionDenied(f"ACL not found for {token}"))
    assert token not in error.message
    assert token not in str(error)


def test_taxonomy_errors_pass_through() -> None:
    original = translated(TimeoutError())
    assert translate(original, operation="x", target=TARGET, correlation_id=uuid.uuid4()) is original
