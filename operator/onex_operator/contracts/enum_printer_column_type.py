"""Column types `kubectl get` knows how to print."""

from enum import StrEnum


class EnumPrinterColumnType(StrEnum):
    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
