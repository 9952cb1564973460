"""One field-level verdict of the offline validator, shaped like the apiserver's field.Error."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    path: str
    message: str
    # A wrong type stops CEL evaluation, as in the apiserver (the rules would see the wrong type).
    is_type_error: bool = False


def child(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def index(path: str, position: int) -> str:
    return f"{path}[{position}]"


def map_key(path: str, key: str) -> str:
    return f"{path}[{key}]"
