"""An in-memory view of the watched resources of one kind, fed by kopf's watch events.

The drift sweep reads it to know what to observe (no list calls against the apiserver while idle),
and the conflict check reads its groups: resources that name the same external object (for topics,
the same topic on the same connection) share a group key.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

SCHEDULE_GRID_SECONDS = 5.0
ItemT = TypeVar("ItemT")


@dataclass
class IndexedResource(Generic[ItemT]):
    item: ItemT
    group: str
    next_check: float  # monotonic time when the sweep looks at it next


class ResourceIndex(Generic[ItemT]):
    def __init__(self, group_key: Callable[[ItemT], str]) -> None:
        self._group_key = group_key
        self._resources: dict[str, IndexedResource[ItemT]] = {}
        self._groups: defaultdict[str, set[str]] = defaultdict(set)

    def upsert(self, uid: str, item: ItemT, first_check_after: float) -> None:
        """A new resource is reconciled by its create/resume handler; the sweep comes later."""
        existing = self._resources.get(uid)
        if existing is not None:
            self._groups[existing.group].discard(uid)
        next_check = existing.next_check if existing else time.monotonic() + first_check_after
        group = self._group_key(item)
        self._resources[uid] = IndexedResource(item=item, group=group, next_check=next_check)
        self._groups[group].add(uid)

    def get(self, uid: str) -> ItemT | None:
        resource = self._resources.get(uid)
        return resource.item if resource is not None else None

    def remove(self, uid: str) -> None:
        resource = self._resources.pop(uid, None)
        if resource is not None:
            self._groups[resource.group].discard(uid)
            if not self._groups[resource.group]:
                del self._groups[resource.group]

    def schedule(self, uid: str, seconds_from_now: float) -> None:
        """Due times are rounded up to a grid, so resources reconciled around the same time are
        swept together: one batched describe instead of several."""
        resource = self._resources.get(uid)
        if resource is None:
            return
        due = time.monotonic() + seconds_from_now
        grid = min(SCHEDULE_GRID_SECONDS, seconds_from_now)
        resource.next_check = math.ceil(due / grid) * grid if grid > 0 else due

    def seconds_until_check(self, uid: str) -> float | None:
        resource = self._resources.get(uid)
        return resource.next_check - time.monotonic() if resource is not None else None

    def due(self) -> list[tuple[str, ItemT]]:
        now = time.monotonic()
        return [(uid, r.item) for uid, r in self._resources.items() if r.next_check <= now]

    def items(self) -> list[ItemT]:
        return [resource.item for resource in self._resources.values()]

    def group_of(self, item: ItemT) -> list[ItemT]:
        """Every indexed resource in the same group as `item` (itself included when indexed)."""
        return [self._resources[uid].item for uid in self._groups.get(self._group_key(item), ())]

    def __len__(self) -> int:
        return len(self._resources)
