from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from onex_operator.errors import (
    EnumInfraTransportType,
    EnumRetryPolicy,
    InfraAuthenticationError,
    InfraConnectionError,
    InfraResourceUnavailableError,
    InfraTimeoutError,
    ModelInfraErrorContext,
    ProtocolConfigurationError,
    RuntimeHostError,
    SecretResolutionError,
    classify,
    error_conditions,
    last_error_status,
)
from onex_operator.models.enum_condition_status import EnumConditionStatus

pytestmark = pytest.mark.unit

NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
CONTEXT = ModelInfraErrorContext(transport_type=EnumInfraTransportType.VAULT, operation="write_secret")

# The DESIGN.md table: class -> (stalled, retryable, retry policy).
TABLE = [
    (ProtocolConfigurationError, True, False, EnumRetryPolicy.NONE),
    (SecretResolutionError, False, True, EnumRetryPolicy.BACKOFF),
    (InfraConnectionError, False, True, EnumRetryPolicy.BACKOFF),
    (InfraTimeoutError, False, True, EnumRetryPolicy.BACKOFF),
    (InfraAuthenticationError, True, True, EnumRetryPolicy.SLOW),
    (InfraResourceUnavailableError, False, True, EnumRetryPolicy.BACKOFF),
]


@pytest.mark.parametrize(("cls", "stalled", "retryable", "policy"), TABLE)
def test_each_class_maps_to_its_row(
    cls: type[RuntimeHostError], stalled: bool, retryable: bool, policy: EnumRetryPolicy
) -> None:
    verdict = classify(cls("x", context=CONTEXT))
    assert verdict.reason == cls.__name__
    assert verdict.stalled is stalled
    assert verdict.retryable is retryable
    assert verdict.retry_policy is policy


@pytest.mark.parametrize(("cls", "stalled", "retryable", "policy"), TABLE)
def test_conditions_follow_the_classification(
    cls: type[RuntimeHostError], stalled: bool, retryable: bool, policy: EnumRetryPolicy
) -> None:
    conditions = {
        c.type: c for c in error_conditions(cls("x", context=CONTEXT), observed_generation=7, now=NOW)
    }
    assert set(conditions) == {"Ready", "Reconciling", "Stalled"}
    assert conditions["Ready"].status is EnumConditionStatus.FALSE
    assert conditions["Ready"].reason == cls.__name__
    assert conditions["Stalled"].status is (
        EnumConditionStatus.TRUE if stalled else EnumConditionStatus.FALSE
    )
    assert conditions["Reconciling"].status is (
        EnumConditionStatus.FALSE if stalled else EnumConditionStatus.TRUE
    )
    assert all(c.observed_generation == 7 and c.last_transition_time == NOW for c in conditions.values())


def test_a_subclass_inherits_its_parents_row() -> None:
    class SaslHandshakeError(InfraAuthenticationError):
        pass

    verdict = classify(SaslHandshakeError("x", context=CONTEXT))
    assert verdict.reason == "InfraAuthenticationError"
    assert verdict.stalled


def test_the_base_class_is_retried() -> None:
    verdict = classify(RuntimeHostError("x", context=CONTEXT))
    assert verdict.reason == "RuntimeHostError"
    assert verdict.retryable
    assert not verdict.stalled


def test_last_error_carries_context_and_correlation_id() -> None:
    correlation_id = uuid4()
    context = ModelInfraErrorContext(
        transport_type=EnumInfraTransportType.KAFKA,
        operation="create_partitions",
        target_name="orders",
        correlation_id=correlation_id,
    )
    last = last_error_status(
        ProtocolConfigurationError("partitions cannot decrease", context=context), now=NOW
    )
    dumped = last.model_dump(mode="json", exclude_none=True)
    assert dumped == {
        "errorClass": "ProtocolConfigurationError",
        "transport": "kafka",
        "operation": "create_partitions",
        "target": "orders",
        "correlationId": str(correlation_id),
        "retryable": False,
        "time": "2025-01-02T03:04:05Z",
        "message": "partitions cannot decrease",
    }


def test_status_never_carries_a_secret() -> None:
    error = InfraAuthenticationError("login failed: Authorization: Bearer abcdefghijklmnop", context=CONTEXT)
    last = last_error_status(error, now=NOW)
    conditions = error_conditions(error, observed_generation=1, now=NOW)
    assert "abcdefghijklmnop" not in last.model_dump_json()
    assert all("abcdefghijklmnop" not in c.message for c in conditions)


def test_long_messages_are_truncated_to_the_schema_limit() -> None:
    last = last_error_status(InfraTimeoutError("x" * 10_000, context=CONTEXT), now=NOW)
    assert last.message is not None
    assert len(last.message) == 4096
