"""py-consul and requests errors -> the ONEX taxonomy. Only taxonomy errors leave the consul adapter.

Messages name the operation and the target, never a token: the taxonomy's constructor sanitizes
every message, and Consul's own text is sanitized here too (Consul names a token by its accessor id,
never by its secret id, but nothing is taken on trust).
"""

from __future__ import annotations

import re
from uuid import UUID

from consul import exceptions as consul

from onex_operator.errors import (
    InfraAuthenticationError,
    InfraResourceUnavailableError,
    InfraTimeoutError,
    ModelInfraErrorContext,
    ProtocolConfigurationError,
    RuntimeHostError,
    sanitize,
)
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType
from onex_operator.nodes.http_transport_errors import ErrorRule, transport_rules

_STATUS_PREFIX = re.compile(r"^\d{3}\s+")

_Rule = ErrorRule

# In order: the first rule whose exception type matches wins (ConnectTimeout is a Timeout too, and
# means unreachable; consul.Timeout and the client errors are ConsulExceptions).
_RULES: list[_Rule] = [
    (
        consul.ACLPermissionDenied,
        InfraAuthenticationError,
        "Consul refused the ACL token for {operation} (a token without the permission it needs, "
        "such as service:write on the service name, or an unknown token){said}",
    ),
    (
        consul.ACLDisabled,
        InfraAuthenticationError,
        "Consul refused {operation} as unauthenticated{said}",
    ),
    (
        consul.BadRequest,
        ProtocolConfigurationError,
        "Consul rejected {operation} as invalid; change the spec{said}",
    ),
    (consul.Timeout, InfraTimeoutError, "Consul {operation} exceeded its contract timeout{said}"),
    *transport_rules("Consul", "agent"),
]


def consul_context(operation: str, target: str, correlation_id: UUID) -> ModelInfraErrorContext:
    return ModelInfraErrorContext(
        transport_type=EnumInfraTransportType.CONSUL,
        operation=operation,
        target_name=target,
        correlation_id=correlation_id,
    )


def consul_says(error: BaseException) -> str:
    """Consul's own text for a failed call, without py-consul's status prefix, sanitized."""
    text = " ".join(str(error).split())
    return sanitize(_STATUS_PREFIX.sub("", text))[:512]


def translate(error: BaseException, *, operation: str, target: str, correlation_id: UUID) -> RuntimeHostError:
    """The taxonomy error for a failed Consul call; raise it `from error`."""
    if isinstance(error, RuntimeHostError):
        return error
    context = consul_context(operation, target, correlation_id)
    detail = consul_says(error)
    # in parentheses: "<operation>: <text>" would read as a key and a value to the sanitizer
    said = f" (Consul says: {detail})" if detail else ""
    for error_type, error_class, template in _RULES:
        if isinstance(error, error_type):
            return error_class(template.format(operation=operation, said=said), context=context)
    if isinstance(error, consul.ClientError) and str(error).startswith("429"):
        return InfraResourceUnavailableError(f"Consul rate-limited {operation}{said}", context=context)
    if isinstance(error, consul.ClientError):
        return ProtocolConfigurationError(f"Consul refused {operation}{said}", context=context)
    # 5xx (no cluster leader, say), an answer that is not JSON, anything unexpected
    return InfraResourceUnavailableError(
        f"Consul cannot serve {operation} now ({type(error).__name__}){said}", context=context
    )
