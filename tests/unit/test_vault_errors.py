"""hvac and requests errors -> the taxonomy, with context and without secrets."""

from __future__ import annotations

import uuid

import pytest
import requests
from hvac import exceptions as hvac_errors

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
from onex_operator.nodes.vault_adapter.errors import translate

pytestmark = pytest.mark.unit

TARGET = "http://127.0.0.1:8200/secret/team/db"


def _translated(error: BaseException, operation: str = "read_secret") -> RuntimeHostError:
    correlation_id = uuid.uuid4()
    translated = translate(error, operation=operation, target=TARGET, correlation_id=correlation_id)
    assert translated.context.transport_type is EnumInfraTransportType.VAULT
    assert translated.context.operation == operation
    assert translated.context.target_name == TARGET
    assert translated.context.correlation_id == correlation_id
    return translated


@pytest.mark.parametrize(
    ("error", "operation", "expected", "words"),
    [
        (
            hvac_errors.VaultDown(errors=["Vault is sealed"]),
            "read_secret",
            InfraResourceUnavailableError,
            "sealed",
        ),
        (
            hvac_errors.VaultDown(errors=["standby"]),
            "read_secret",
            InfraResourceUnavailableError,
            "unavailable",
        ),
        (
            hvac_errors.VaultNotInitialized(errors=["x"]),
            "read_secret",
            InfraResourceUnavailableError,
            "initialized",
        ),
        (
            hvac_errors.Forbidden(errors=["permission denied"]),
            "read_secret",
            InfraAuthenticationError,
            "refused",
        ),
        (hvac_errors.Unauthorized(errors=["x"]), "write_secret", InfraAuthenticationError, "refused"),
        (
            hvac_errors.InvalidRequest(errors=["invalid role or secret ID"]),
            "login",
            InfraAuthenticationError,
            "login failed",
        ),
        (hvac_errors.InvalidPath(errors=["no handler"]), "login", ProtocolConfigurationError, "auth method"),
        (
            hvac_errors.InvalidRequest(errors=["no data provided"]),
            "write_secret",
            ProtocolConfigurationError,
            "KV engine",
        ),
        (
            hvac_errors.InvalidRequest(errors=["check-and-set parameter did not match the current version"]),
            "write_secret",
            InfraResourceUnavailableError,
            "concurrently",
        ),
        (
            hvac_errors.InvalidPath(errors=["no handler for route"]),
            "write_secret",
            ProtocolConfigurationError,
            "path",
        ),
        (
            hvac_errors.RateLimitExceeded(errors=["x"]),
            "read_secret",
            InfraResourceUnavailableError,
            "rate-limited",
        ),
        (
            hvac_errors.InternalServerError(errors=["boom"]),
            "read_secret",
            InfraResourceUnavailableError,
            "failed",
        ),
        (hvac_errors.BadGateway(errors=["x"]), "read_secret", InfraResourceUnavailableError, "failed"),
        (
            requests.exceptions.ConnectionError("refused"),
            "read_secret",
            InfraConnectionError,
            "cannot connect",
        ),
        (requests.exceptions.ConnectTimeout("x"), "read_secret", InfraConnectionError, "unreachable"),
        (requests.exceptions.ReadTimeout("x"), "read_secret", InfraTimeoutError, "contract timeout"),
        (TimeoutError(), "write_secret", InfraTimeoutError, "contract timeout"),
        (requests.exceptions.SSLError("bad cert"), "read_secret", InfraConnectionError, "TLS"),
        (ValueError("odd"), "read_secret", InfraResourceUnavailableError, "unexpected"),
    ],
)
def test_classes(error: BaseException, operation: str, expected: type[RuntimeHostError], words: str) -> None:
    translated = _translated(error, operation)
    assert type(translated) is expected
    assert words in translated.message


def test_taxonomy_errors_pass_through() -> None:
    original = ProtocolConfigurationError("x", context=_translated(TimeoutError()).context)
    assert translate(original, operation="o", target="t", correlation_id=uuid.uuid4()) is original


def test_messages_carry_no_secret() -> None:
    token = "hvs.CAESIJ9testtokenvalue0123456789abcdef"
    value = "canary-value-5c1f0e"
    register_secret(value)
    error = hvac_errors.InvalidRequest(errors=[f"bad input {value} with token {token}"])
    translated = _translated(error, "write_secret")
    text = f"{translated} {translated.message}"
    assert token not in text
    assert value not in text


def test_vault_text_survives_the_sanitizer() -> None:
    # "<operation>: <text>" would look like a secret key to the sanitizer; the message avoids it
    translated = _translated(hvac_errors.VaultDown(errors=["Vault is sealed"]), "read_secret")
    assert "Vault is sealed" in translated.message
