from __future__ import annotations

from enum import StrEnum


class EnumOwnership(StrEnum):
    OURS = "ours"  # written by this resource (owner uid matches)
    FOREIGN = "foreign"  # managed by this operator for another resource
    UNMANAGED = "unmanaged"  # exists without our marker (written by someone else, or KV v1)
    ABSENT = "absent"  # nothing at the path
