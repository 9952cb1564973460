"""asyncpg and socket errors -> the ONEX taxonomy. Only taxonomy errors leave the postgres adapter.

The server's primary message is kept (sanitized: a value registered with the sanitizer never shows),
its DETAIL is not: a detail can quote row values ("Key (email)=(...) already exists").
"""

from __future__ import annotations

from uuid import UUID

import asyncpg

from onex_operator.errors import (
    InfraAuthenticationError,
    InfraConnectionError,
    InfraResourceUnavailableError,
    InfraTimeoutError,
    ModelInfraErrorContext,
    ProtocolConfigurationError,
    RuntimeHostError,
    sanitize,
)
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType

# 28000 invalid authorization (unknown role, no pg_hba entry), 28P01 wrong password
AUTH_STATES = frozenset({"28000", "28P01"})
# 55P03 lock_not_available (lock_timeout), 57014 query_canceled (statement_timeout)
TIMEOUT_STATES = frozenset({"55P03", "57014"})
# the server cannot serve now: too many connections, starting up or shutting down, serialization
# failure and deadlock (retrying helps)
UNAVAILABLE_STATES = frozenset({"53300", "57P01", "57P02", "57P03", "40001", "40P01"})
RETRYABLE_STATES = TIMEOUT_STATES | UNAVAILABLE_STATES
MISSING_DATABASE = "3D000"
_MESSAGE_LIMIT = 500


def pg_context(operation: str, target: str, correlation_id: UUID) -> ModelInfraErrorContext:
    return ModelInfraErrorContext(
        transport_type=EnumInfraTransportType.DB,
        operation=operation,
        target_name=target,
        correlation_id=correlation_id,
    )


def sqlstate_of(error: BaseException) -> str | None:
    return error.sqlstate if isinstance(error, asyncpg.PostgresError) else None


def server_says(error: BaseException) -> str:
    """The server's primary message, one line, sanitized and bounded."""
    text = error.message if isinstance(error, asyncpg.PostgresError) else str(error)
    return sanitize(" ".join(text.split()))[:_MESSAGE_LIMIT]


def translate(  # noqa: PLR0911 - one return per error class reads as the mapping table it is
    error: BaseException, *, operation: str, target: str, correlation_id: UUID
) -> RuntimeHostError:
    """The taxonomy error for a failed call; raise it `from error`."""
    if isinstance(error, RuntimeHostError):
        return error
    context = pg_context(operation, target, correlation_id)
    state = sqlstate_of(error)
    said = f"SQLSTATE {state}: {server_says(error)}"
    if state in AUTH_STATES:
        return InfraAuthenticationError(
            f"PostgreSQL refused the login of {target} ({said}); fix the credentials", context=context
        )
    if state == MISSING_DATABASE:
        return ProtocolConfigurationError(
            f"the database of {target} does not exist ({said}); the operator never creates databases",
            context=context,
        )
    if state in TIMEOUT_STATES:
        return InfraTimeoutError(f"PostgreSQL {operation} timed out ({said}); retried", context=context)
    if state in UNAVAILABLE_STATES:
        return InfraResourceUnavailableError(
            f"PostgreSQL cannot serve {operation} now ({said}); retried", context=context
        )
    if state is not None:
        return ProtocolConfigurationError(f"PostgreSQL refused {operation} ({said})", context=context)
    if isinstance(error, TimeoutError):
        if operation == "connect":
            return InfraConnectionError(
                f"no connection to PostgreSQL at {target} within the timeout (unreachable)", context=context
            )
        return InfraTimeoutError(f"PostgreSQL {operation} exceeded its timeout; retried", context=context)
    if isinstance(error, (OSError, asyncpg.InterfaceError, asyncpg.InternalClientError)):
        return InfraConnectionError(
            f"PostgreSQL {operation} failed, cannot talk to {target} ({type(error).__name__}: "
            f"{server_says(error)})",
            context=context,
        )
    return InfraResourceUnavailableError(
        f"PostgreSQL {operation} failed ({type(error).__name__}: {server_says(error)})", context=context
    )


def migration_error(
    error: BaseException, *, version: str, transactional: bool, target: str, correlation_id: UUID
) -> RuntimeHostError:
    """A failed migration's error: its class from `translate`, a message naming the version, the
    SQLSTATE and the server's message."""
    base = translate(error, operation="apply_migration", target=target, correlation_id=correlation_id)
    state = sqlstate_of(error)
    said = f"SQLSTATE {state}: {server_says(error)}" if state else base.message
    undone = "rolled back" if transactional else "ran outside a transaction; any partial effect stays"
    if isinstance(base, ProtocolConfigurationError) and state is not None:
        then = "later migrations wait; change its SQL to run it again"
    else:
        then = "retried"
    message = f"migration {version} failed ({said}); {undone}; {then}"
    return type(base)(message, context=base.context)
