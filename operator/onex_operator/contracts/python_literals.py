"""Python source for literal values, short enough for the project's line length."""

from __future__ import annotations

import textwrap

from pydantic import JsonValue

_CHUNK = 72


def _quoted(text: str) -> str:
    # A raw string keeps regular expressions readable; it cannot end in a backslash or hold a quote.
    if "\\" in text and '"' not in text and not text.endswith("\\") and "\n" not in text:
        return f'r"{text}"'
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _chunks(text: str) -> list[str]:
    if " " in text:
        return textwrap.wrap(text, _CHUNK, drop_whitespace=False, break_long_words=True)
    pieces = [text[start : start + _CHUNK] for start in range(0, len(text), _CHUNK)]
    # Never let a piece end in a backslash: it would escape the closing quote of a raw string.
    merged: list[str] = []
    for piece in pieces:
        if merged and merged[-1].endswith("\\"):
            merged[-1] += piece
        else:
            merged.append(piece)
    return merged


def string_literal(text: str) -> str:
    """A string literal, split into implicitly concatenated pieces when long."""
    pieces = _chunks(text) if len(text) > _CHUNK else [text]
    if len(pieces) == 1:
        return _quoted(text)
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
