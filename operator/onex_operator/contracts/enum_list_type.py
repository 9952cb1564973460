"""`x-kubernetes-list-type`: how server-side apply merges a list and which items must be unique."""

from enum import StrEnum


class EnumListType(StrEnum):
    ATOMIC = "atomic"
    SET = "set"
    MAP = "map"
