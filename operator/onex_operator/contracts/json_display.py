"""Values quoted in messages the way the apiserver quotes them."""

from __future__ import annotations

import json

from pydantic import JsonValue

from onex_operator.contracts.enum_schema_type import EnumSchemaType


def shown(value: JsonValue) -> str:
    """A scalar as JSON; a container by its type name (the apiserver prints "object" / "array")."""
    if isinstance(value, dict):
        return '"object"'
    if isinstance(value, list):
        return '"array"'
    return json.dumps(value)


# bool before int: in Python a bool is an int, in JSON it is not.
_TYPE_NAMES: list[tuple[type, EnumSchemaType]] = [
    (bool, EnumSchemaType.BOOLEAN),
    (int, EnumSchemaType.INTEGER),
    (float, EnumSchemaType.NUMBER),
    (str, EnumSchemaType.STRING),
    (list, EnumSchemaType.ARRAY),
    (dict, EnumSchemaType.OBJECT),
]


def type_of(value: JsonValue) -> str:
    return next((name.value for cls, name in _TYPE_NAMES if isinstance(value, cls)), "null")
