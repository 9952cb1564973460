"""Placeholders, Flyway's idea done safely: `${name}` becomes a quoted SQL literal, never raw text.

The SQL is only a template for the values: a value with quotes, backslashes or a statement of its
own stays one string literal. Quoting follows PostgreSQL's `quote_literal`: quotes doubled, and when
the value holds a backslash, backslashes doubled in an E'' literal, so the result means the same
whatever `standard_conforming_strings` says.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class PlaceholderError(ValueError):
    """The SQL names a placeholder the spec does not define, or a value cannot be a literal."""


def quote_literal(value: str) -> str:
    if "\x00" in value:
        raise PlaceholderError("a placeholder value holds a NUL character, which PostgreSQL text cannot")
    quoted = value.replace("'", "''")
    if "\\" in quoted:
        return "E'" + quoted.replace("\\", "\\\\") + "'"
    return "'" + quoted + "'"


def names_in(sql: str) -> set[str]:
    return set(PLACEHOLDER.findall(sql))


def expand(sql: str, values: Mapping[str, str]) -> str:
    """The SQL to run: every `${name}` replaced by the quoted literal of its value."""
    missing = sorted(names_in(sql) - values.keys())
    if missing:
        raise PlaceholderError("no placeholder defined for " + ", ".join("${" + n + "}" for n in missing))
    return PLACEHOLDER.sub(lambda match: quote_literal(values[match.group(1)]), sql)
