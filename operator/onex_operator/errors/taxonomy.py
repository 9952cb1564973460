"""The ONEX infrastructure error taxonomy: the only errors that cross a node boundary.

Messages are sanitized when the error is made, so neither `str(error)` nor a traceback can carry a
secret out of the process. Chain the cause with `raise ... from error`.
"""

from __future__ import annotations

from uuid import UUID, uuid4

from onex_operator.errors.model_infra_error_context import ModelInfraErrorContext
from onex_operator.errors.sanitizer import sanitize


class OnexError(Exception):
    """Root of every error the operator raises on purpose."""

    def __init__(self, message: str, *, correlation_id: UUID | None = None) -> None:
        self.message = sanitize(message)
        self.correlation_id = correlation_id if correlation_id is not None else uuid4()
        super().__init__(self.message)


class RuntimeHostError(OnexError):
    """An operation against an infrastructure service failed; `context` says which and where."""

    def __init__(self, message: str, *, context: ModelInfraErrorContext) -> None:
        super().__init__(message, correlation_id=context.correlation_id)
        self.context = context

    def __str__(self) -> str:
        context = self.context
        target = f" target={context.target_name}" if context.target_name else ""
        return (
            f"{self.message} [transport={context.transport_type.value} operation={context.operation}"
            f"{target} correlation_id={context.correlation_id}]"
        )


class ProtocolConfigurationError(RuntimeHostError):
    """The spec or a connection asks for something that cannot be done (partitions decreased,
    checksum of an applied migration changed, dependency cycle): nothing changes until the spec does."""


class SecretResolutionError(RuntimeHostError):
    """A referenced Secret or key is missing or unreadable; it may appear later."""


class InfraConnectionError(RuntimeHostError):
    """The service could not be reached (refused, reset, DNS)."""


class InfraTimeoutError(RuntimeHostError):
    """An operation exceeded the timeout its contract declares."""


class InfraAuthenticationError(RuntimeHostError):
    """The service rejected the credentials (bad token, 401, 403)."""


class InfraResourceUnavailableError(RuntimeHostError):
    """The service answered but cannot serve now (Vault sealed, broker lacks a feature)."""
