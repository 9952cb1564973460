"""The value types a structural Kubernetes schema allows."""

from enum import StrEnum


class EnumSchemaType(StrEnum):
    OBJECT = "object"
    ARRAY = "array"
    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
