"""The effective KV path of a resource: the connection's pathPrefix ({namespace} expanded) joined
with the resource's path, confined to the prefix.

Vault collapses `..` and empty segments on some routes and not on others; rather than rely on that,
any path that is not a plain list of segments is refused before a request is made.
"""

from __future__ import annotations

import re
from uuid import UUID

from onex_operator.errors import ProtocolConfigurationError
from onex_operator.nodes.vault_adapter.errors import vault_context

NAMESPACE_PLACEHOLDER = "{namespace}"
_SEGMENT = re.compile(r"^[A-Za-z0-9._-]+$")
_DOT_SEGMENTS = {".", ".."}


def effective_path(
    *,
    path: str,
    path_prefix: str | None,
    namespace: str,
    mount: str,
    correlation_id: UUID,
    operation: str = "resolve_path",
) -> str:
    """`<prefix>/<path>` with {namespace} expanded; the path alone when there is no prefix.

    Raises ProtocolConfigurationError for an absolute path, an empty, `.` or `..` segment, a
    character outside [A-Za-z0-9._-], or a placeholder other than {namespace} in the prefix.
    """
    prefix_segments: list[str] = []
    if path_prefix:
        expanded = path_prefix.replace(NAMESPACE_PLACEHOLDER, namespace)
        reason = _refusal(expanded)
        if reason is not None:
            raise _refuse(
                f"pathPrefix {path_prefix!r} (for namespace {namespace!r})",
                reason,
                mount,
                correlation_id,
                operation,
            )
        prefix_segments = expanded.split("/")
    reason = _refusal(path)
    if reason is not None:
        raise _refuse(f"path {path!r}", reason, mount, correlation_id, operation)
    return "/".join([*prefix_segments, *path.split("/")])


def _refusal(value: str) -> str | None:
    """Why `value` is not a plain relative path, or None."""
    if not value:
        return "is empty"
    if value.startswith("/"):
        return "is absolute"
    for segment in value.split("/"):
        if segment == "":
            return "has an empty segment"
        if segment in _DOT_SEGMENTS:
            return f"has a {segment!r} segment"
        if not _SEGMENT.match(segment):
            return "has a character outside [A-Za-z0-9._-] (or a placeholder other than {namespace})"
    return None


def _refuse(
    what: str, reason: str, mount: str, correlation_id: UUID, operation: str
) -> ProtocolConfigurationError:
    return ProtocolConfigurationError(
        f"Vault {what} {reason}: every path must stay under the connection's pathPrefix",
        context=vault_context(operation, mount, correlation_id),
    )
