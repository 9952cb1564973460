"""The ONEX infrastructure error taxonomy, its mapping to conditions, and the sanitizer."""

from onex_operator.errors.conditions import classify, error_conditions, last_error_status
from onex_operator.errors.enum_retry_policy import EnumRetryPolicy
from onex_operator.errors.model_error_classification import ModelErrorClassification
from onex_operator.errors.model_infra_error_context import ModelInfraErrorContext
from onex_operator.errors.sanitizer import PROCESS_SANITIZER, Sanitizer, register_secret, sanitize
from onex_operator.errors.taxonomy import (
    InfraAuthenticationError,
    InfraConnectionError,
    InfraResourceUnavailableError,
    InfraTimeoutError,
    OnexError,
    ProtocolConfigurationError,
    RuntimeHostError,
    SecretResolutionError,
)
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType

__all__ = [
    "PROCESS_SANITIZER",
    "EnumInfraTransportType",
    "EnumRetryPolicy",
    "InfraAuthenticationError",
    "InfraConnectionError",
    "InfraResourceUnavailableError",
    "InfraTimeoutError",
    "ModelErrorClassification",
    "ModelInfraErrorContext",
    "OnexError",
    "ProtocolConfigurationError",
    "RuntimeHostError",
    "Sanitizer",
    "SecretResolutionError",
    "classify",
    "error_conditions",
    "last_error_status",
    "register_secret",
    "sanitize",
]
