"""The four ONEX node types; each has its own contract rules (EFFECT nodes declare io_operations)."""

from enum import StrEnum


class EnumNodeType(StrEnum):
    EFFECT = "EFFECT"
    COMPUTE = "COMPUTE"
    REDUCER = "REDUCER"
    ORCHESTRATOR = "ORCHESTRATOR"
