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

from onex_operator.kube.api import JsonObject

SCHEDULE_GRID_SECONDS = 5.0


@dataclass
class IndexedResource:
    body: JsonObject
    group: str
    next_check: float  # monotonic time when the sweep looks at it next


class ResourceIndex:
    def __init__(self, group_key: Callable[[JsonObject], str]) -> None:
        self._group_key = group_key
        self._resources: dict[str, IndexedResource] = {}
        self._groups: defaultdict[str, set[str]] = defaultdict(set)

    def upsert(self, uid: str, body: JsonObject, first_check_after: float) -> None:
        """A new resource is reconciled by its create/resume handler; the sweep comes later."""
        existing = self._resources.get(uid)
        if existing is not None:
            self._groups[existing.group].discard(uid)
        next_check = existing.next_check if existing else time.monotonic() + first_check_after
        group = self._group_key(body)
        self._resources[uid] = IndexedResource(body=body, group=group, next_check=next_check)
        self._groups[group].add(uid)

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

    def due(self) -> list[tuple[str, JsonObject]]:
        now = time.monotonic()
        return [(uid, r.body) for uid, r in self._resources.items() if r.next_check <= now]

    def bodies(self) -> list[JsonObject]:
        return [resource.body for resource in self._resources.values()]

    def group_of(self, body: JsonObject) -> list[JsonObject]:
        """Every indexed resource in the same group as `body` (itself included when indexed)."""
        return [self._resources[uid].body for uid in self._groups.get(self._group_key(body), ())]

    def __len__(self) -> int:
        return len(self._resources)
