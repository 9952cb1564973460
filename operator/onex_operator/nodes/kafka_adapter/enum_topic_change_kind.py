from __future__ import annotations

from enum import StrEnum


class EnumTopicChangeKind(StrEnum):
    CREATE = "create"
    ADD_PARTITIONS = "add-partitions"
    SET_CONFIG = "set-config"
    DELETE_CONFIG = "delete-config"
