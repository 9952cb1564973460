"""An in-memory view of the watched resources of one kind, fed by kopf's watch events.

The drift sweep reads it to know what to observe (no list calls against the apiserver while idle),
and the conflict check reads it to find other resources that name the same external object.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from onex_operator.kube.api import JsonObject


@dataclass
class IndexedResource:
    body: JsonObject
    next_check: float  # monotonic time when the sweep looks at it next


class ResourceIndex:
    def __init__(self) -> None:
        self._resources: dict[str, IndexedResource] = {}

    def upsert(self, uid: str, body: JsonObject, first_check_after: float) -> None:
        """A new resource is reconciled by its create/resume handler; the sweep comes later."""
        existing = self._resources.get(uid)
        next_check = existing.next_check if existing else time.monotonic() + first_check_after
        self._resources[uid] = IndexedResource(body=body, next_check=next_check)

    def remove(self, uid: str) -> None:
        self._resources.pop(uid, None)

    def schedule(self, uid: str, seconds_from_now: float) -> None:
        resource = self._resources.get(uid)
        if resource is not None:
            resource.next_check = time.monotonic() + seconds_from_now

    def due(self) -> list[tuple[str, JsonObject]]:
        now = time.monotonic()
        return [(uid, r.body) for uid, r in self._resources.items() if r.next_check <= now]

    def bodies(self) -> list[JsonObject]:
        return [resource.body for resource in self._resources.values()]

    def __len__(self) -> int:
        return len(self._resources)
