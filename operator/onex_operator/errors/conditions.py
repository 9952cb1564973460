"""From an error to the resource's status: classification, conditions and lastError.

The table below is the DESIGN.md table; a subclass added later inherits its parent's row.
"""

from __future__ import annotations

from datetime import datetime

from onex_operator.errors.enum_retry_policy import EnumRetryPolicy
from onex_operator.errors.model_error_classification import ModelErrorClassification
from onex_operator.errors.taxonomy import (
    InfraAuthenticationError,
    InfraConnectionError,
    InfraResourceUnavailableError,
    InfraTimeoutError,
    ProtocolConfigurationError,
    RuntimeHostError,
    SecretResolutionError,
)
from onex_operator.models.enum_condition_status import EnumConditionStatus
from onex_operator.models.enum_infra_error_class import EnumInfraErrorClass
from onex_operator.models.model_condition import ModelCondition
from onex_operator.models.model_last_error import ModelLastError

_LAST_ERROR_MESSAGE_LIMIT = 4096
_CONDITION_MESSAGE_LIMIT = 32768
RETRYING_REASON = "Retrying"


_E = EnumInfraErrorClass
_BACKOFF, _SLOW, _NEVER = EnumRetryPolicy.BACKOFF, EnumRetryPolicy.SLOW, EnumRetryPolicy.NONE

# class -> (condition reason, stalled, retry policy)
_TABLE: list[tuple[type[RuntimeHostError], EnumInfraErrorClass, bool, EnumRetryPolicy]] = [
    (RuntimeHostError, _E.RUNTIME_HOST_ERROR, False, _BACKOFF),
    (ProtocolConfigurationError, _E.PROTOCOL_CONFIGURATION_ERROR, True, _NEVER),
    (SecretResolutionError, _E.SECRET_RESOLUTION_ERROR, False, _BACKOFF),
    (InfraConnectionError, _E.INFRA_CONNECTION_ERROR, False, _BACKOFF),
    (InfraTimeoutError, _E.INFRA_TIMEOUT_ERROR, False, _BACKOFF),
    (InfraAuthenticationError, _E.INFRA_AUTHENTICATION_ERROR, True, _SLOW),
    (InfraResourceUnavailableError, _E.INFRA_RESOURCE_UNAVAILABLE_ERROR, False, _BACKOFF),
]
_CLASSIFICATION: dict[type[RuntimeHostError], ModelErrorClassification] = {
    cls: ModelErrorClassification(
        error_class=error_class, stalled=stalled, retryable=policy is not _NEVER, retry_policy=policy
    )
    for cls, error_class, stalled, policy in _TABLE
}


def classify(error: RuntimeHostError) -> ModelErrorClassification:
    """The row of the nearest class in the error's ancestry (RuntimeHostError at the latest)."""
    return next(row for cls in type(error).__mro__ if (row := _CLASSIFICATION.get(cls)) is not None)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def error_conditions(
    error: RuntimeHostError, *, observed_generation: int, now: datetime
) -> list[ModelCondition]:
    """Ready, Reconciling and Stalled for a reconcile that ended in `error`."""
    verdict = classify(error)
    message = _truncate(error.message, _CONDITION_MESSAGE_LIMIT)

    def condition(kind: str, status: bool, reason: str) -> ModelCondition:
        return ModelCondition(
            type=kind,
            status=EnumConditionStatus.TRUE if status else EnumConditionStatus.FALSE,
            observed_generation=observed_generation,
            last_transition_time=now,
            reason=reason,
            message=message,
        )

    return [
        condition("Ready", False, verdict.reason),
        # A retried error is still work in progress; a stalled one is not.
        condition(
            "Reconciling", not verdict.stalled, RETRYING_REASON if not verdict.stalled else verdict.reason
        ),
        condition("Stalled", verdict.stalled, verdict.reason if verdict.stalled else RETRYING_REASON),
    ]


def last_error_status(error: RuntimeHostError, *, now: datetime) -> ModelLastError:
    """status.lastError for `error`: sanitized, with the reconcile's correlation id."""
    verdict = classify(error)
    context = error.context
    return ModelLastError(
        error_class=verdict.error_class,
        transport=context.transport_type,
        operation=context.operation,
        target=context.target_name or None,
        correlation_id=context.correlation_id,
        retryable=verdict.retryable,
        time=now,
        message=_truncate(error.message, _LAST_ERROR_MESSAGE_LIMIT),
    )
