from __future__ import annotations

from enum import StrEnum


class EnumPlanVerdict(StrEnum):
    """What the operator would do with one resource."""

    CHANGES = "changes"
    IN_SYNC = "in-sync"
    # managementPolicy Observe: the difference is reported as drift, never applied
    DRIFT = "drift"
    REFUSED = "refused"
    CONFLICT = "conflict"
    ERROR = "error"
