"""A short-lived cache of async lookups.

A thousand KafkaTopics on one connection would otherwise read the same InfraConnection and Secret a
thousand times per sweep. A few seconds of staleness is harmless: a changed Secret is picked up on
the next reconcile after it expires. Failures are never cached.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

ValueT = TypeVar("ValueT")


class TtlCache(Generic[ValueT]):
    def __init__(self, ttl_seconds: float) -> None:
        self._ttl = ttl_seconds
        self._entries: dict[Hashable, tuple[float, ValueT]] = {}
        self._pending: dict[Hashable, asyncio.Future[ValueT]] = {}

    async def get(self, key: Hashable, load: Callable[[], Awaitable[ValueT]]) -> ValueT:
        entry = self._entries.get(key)
        if entry is not None and entry[0] > time.monotonic():
            return entry[1]
        pending = self._pending.get(key)
        if pending is not None:  # concurrent misses share one load
            return await asyncio.shield(pending)
        future: asyncio.Future[ValueT] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            value = await load()
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: waiters re-raise it, nobody logs it as lost
            raise
        finally:
            self._pending.pop(key, None)
        self._entries[key] = (time.monotonic() + self._ttl, value)
        future.set_result(value)
        return value
