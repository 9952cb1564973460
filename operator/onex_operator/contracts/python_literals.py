"""Python source for literal values, short enough for the project's line length."""

from __future__ import annotations

import textwrap

from pydantic import JsonValue

# Width of one piece of a long string, quotes included; words are wrapped a little shorter so a
# wrapped piece never needs splitting again.
_CHUNK = 76
_WRAP = _CHUNK - 6
# Up to this length a literal stays whole: it fits a keyword argument on one indented line.
_SINGLE_LIMIT = 80


def _quoted(text: str) -> str:
    # A raw string keeps regular expressions readable; it cannot end in a backslash or hold a quote.
    raw_safe = text.isascii() and text.isprintable() and '"' not in text and not text.endswith("\\")
    if "\\" in text and raw_safe:
        return f'r"{text}"'
    # unicode_escape writes every non-printable or non-ASCII character as an escape; quotes it leaves.
    return '"' + text.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'


def _fit(piece: str) -> list[str]:
    """Split a piece so that each part, quoted, stays within the chunk width."""
    parts: list[str] = []
    current = ""
    for char in piece:
        if current and len(_quoted(current + char)) > _CHUNK:
            parts.append(current)
            current = ""
        current += char
    return [*parts, current]


def _chunks(text: str) -> list[str]:
    words = (
        textwrap.wrap(text, _WRAP, drop_whitespace=False, replace_whitespace=False, expand_tabs=False)
        if " " in text
        else [text]
    )
    return [part for word in words for part in _fit(word)]


def string_literal(text: str) -> str:
    """A string literal, split into implicitly concatenated pieces when long."""
    single = _quoted(text)
    pieces = _chunks(text)
    if len(single) <= _SINGLE_LIMIT or len(pieces) <= 1:
        return single
    return "(" + " ".join(_quoted(piece) for piece in pieces) + ")"


def json_literal(value: JsonValue) -> str:
    """Python source that evaluates to the JSON value."""
    if isinstance(value, str):
        return string_literal(value)
    if value is None or isinstance(value, bool | int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(json_literal(item) for item in value) + "]"
    return "{" + ", ".join(f"{_quoted(key)}: {json_literal(item)}" for key, item in value.items()) + "}"
