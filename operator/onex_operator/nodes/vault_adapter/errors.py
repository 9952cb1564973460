"""hvac and requests errors -> the ONEX taxonomy. Only taxonomy errors leave the vault adapter.

Messages name the operation and the target, never a token or a value: every message goes through
the sanitizer (the taxonomy's constructor sanitizes it, and Vault's own text is sanitized here too).
"""

from __future__ import annotations

from uuid import UUID

from hvac import exceptions as hvac_errors

from onex_operator.errors import (
    InfraAuthenticationError,
    InfraResourceUnavailableError,
    ModelInfraErrorContext,
    ProtocolConfigurationError,
    RuntimeHostError,
    sanitize,
)
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType
from onex_operator.nodes.http_transport_errors import ErrorRule, transport_rules

LOGIN_OPERATION = "login"
_SEALED_WORDS = ("sealed",)
_AUTHENTICATION_WORDS = (
    "permission denied",
    "invalid token",
    "bad token",
    "token expired",
    "invalid role",
    "invalid secret id",
    "invalid role or secret id",
    "login failed",
    "service account",
    "not authorized",
)
_CAS_WORDS = ("check-and-set",)


def vault_context(operation: str, target: str, correlation_id: UUID) -> ModelInfraErrorContext:
    return ModelInfraErrorContext(
        transport_type=EnumInfraTransportType.VAULT,
        operation=operation,
        target_name=target,
        correlation_id=correlation_id,
    )


def vault_errors(error: BaseException) -> str:
    """Vault's own error text (its `errors` list), sanitized; empty when there is none."""
    if isinstance(error, hvac_errors.VaultError):
        listed = error.errors if isinstance(error.errors, list) else []
        text = "; ".join(str(item) for item in listed) if listed else str(error.args[0] or "")
        return sanitize(" ".join(text.split()))[:512]
    return sanitize(" ".join(str(error).split()))[:512]


_Rule = ErrorRule

# Transport failures, in order (ConnectTimeout is a Timeout too: it means unreachable).
_TRANSPORT_RULES: list[_Rule] = transport_rules("Vault", "server")

# Vault's answers by status (hvac's exception per status), after the special cases below.
_STATUS_RULES: list[_Rule] = [
    (hvac_errors.VaultDown, InfraResourceUnavailableError, "Vault is unavailable for {operation}{said}"),
    (
        hvac_errors.VaultNotInitialized,
        InfraResourceUnavailableError,
        "Vault is not initialized ({operation}){said}",
    ),
    (
        hvac_errors.Unauthorized,
        InfraAuthenticationError,
        "Vault refused the credentials for {operation} (permission denied or bad token){said}",
    ),
    (
        hvac_errors.Forbidden,
        InfraAuthenticationError,
        "Vault refused the credentials for {operation} (permission denied or bad token){said}",
    ),
    (
        hvac_errors.InvalidRequest,
        ProtocolConfigurationError,
        "Vault rejected {operation} as invalid (is the mount a KV engine of the configured version?){said}",
    ),
    (
        hvac_errors.InvalidPath,
        ProtocolConfigurationError,
        "Vault {operation} found no such path or secrets engine (check mount and path){said}",
    ),
    (hvac_errors.RateLimitExceeded, InfraResourceUnavailableError, "Vault rate-limited {operation}{said}"),
]


def translate(error: BaseException, *, operation: str, target: str, correlation_id: UUID) -> RuntimeHostError:
    """The taxonomy error for a failed Vault call; raise it `from error`."""
    if isinstance(error, RuntimeHostError):
        return error
    context = vault_context(operation, target, correlation_id)
    detail = vault_errors(error)
    # in parentheses: "<operation>: <text>" would read as a secret key and value to the sanitizer
    said = f" (Vault says: {detail})" if detail else ""
    error_class, template = _classify(error, operation, said.lower())
    return error_class(template.format(operation=operation, said=said), context=context)


def _special(error: BaseException, operation: str, lowered: str) -> _Rule | None:
    """Answers whose meaning depends on the operation or on Vault's words, not only the status."""
    login = operation == LOGIN_OPERATION
    cases: list[tuple[bool, type[RuntimeHostError], str]] = [
        (
            isinstance(error, hvac_errors.VaultDown) and any(word in lowered for word in _SEALED_WORDS),
            InfraResourceUnavailableError,
            "Vault is sealed ({operation}){said}",
        ),
        (
            login and isinstance(error, hvac_errors.InvalidPath),
            ProtocolConfigurationError,
            "Vault has no auth method at the configured mount path{said}",
        ),
        (
            login and isinstance(error, hvac_errors.InvalidRequest),
            InfraAuthenticationError,
            "Vault login failed{said}",
        ),
        (
            isinstance(error, hvac_errors.InvalidRequest)
            and any(word in lowered for word in _AUTHENTICATION_WORDS),
            InfraAuthenticationError,
            "Vault refused the credentials for {operation}{said}",
        ),
        (
            isinstance(error, hvac_errors.InvalidRequest) and any(word in lowered for word in _CAS_WORDS),
            InfraResourceUnavailableError,
            "Vault refused {operation}, the secret changed concurrently (check-and-set){said}",
        ),
    ]
    for applies, error_class, template in cases:
        if applies:
            return type(error), error_class, template
    return None


def _classify(error: BaseException, operation: str, lowered: str) -> tuple[type[RuntimeHostError], str]:
    special = _special(error, operation, lowered)
    if special is not None:
        return special[1], special[2]
    for error_type, error_class, template in [*_STATUS_RULES, *_TRANSPORT_RULES]:
        if isinstance(error, error_type):
            return error_class, template
    # 500, 502 and anything unexpected: the server answered but cannot serve now
    what = "failed" if isinstance(error, hvac_errors.VaultError) else "unexpected answer"
    return InfraResourceUnavailableError, f"Vault {{operation}} {what} ({type(error).__name__}){{said}}"
