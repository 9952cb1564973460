"""The postgres connection manager: one bounded asyncpg pool per (host, port, database, user,
sslMode), replaced when the connection's settings or password change, closed when idle.

Pools start empty (min_size 0): a pool costs no server connection until a reconcile needs one, and
asyncpg closes connections idle longer than `idle_seconds`; a whole pool unused that long is closed
and forgotten at the next lookup. A replaced pool is closed gracefully in the background, so a
migration running on it finishes first.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

import asyncpg

from onex_operator.nodes.postgres_adapter.model_postgres_client_config import (
    ModelPostgresClientConfig,
    PoolKey,
)

DEFAULT_MAX_SIZE = 4
DEFAULT_IDLE_SECONDS = 300.0
_CLOSE_SECONDS = 600.0  # a replaced pool waits this long for its migrations, then is terminated
APPLICATION_NAME = "onex-infra-operator"

Pool: TypeAlias = "asyncpg.Pool[asyncpg.Record]"


@dataclass
class _Entry:
    config: ModelPostgresClientConfig
    pool: Pool
    ready: asyncio.Task[Pool]  # initialising a pool of min_size 0 opens no connection
    last_used: float


class PostgresPools:
    def __init__(
        self,
        *,
        max_size: int = DEFAULT_MAX_SIZE,
        idle_seconds: float = DEFAULT_IDLE_SECONDS,
        connect_timeout: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max_size = max_size
        self._idle = idle_seconds
        self._connect_timeout = connect_timeout
        self._clock = clock
        self._entries: dict[PoolKey, _Entry] = {}
        self._closing: set[asyncio.Task[None]] = set()

    async def pool(self, config: ModelPostgresClientConfig) -> Pool:
        now = self._clock()
        self._close_idle(now)
        entry = self._entries.get(config.key)
        if entry is not None and entry.config != config:
            self._close_later(entry)  # a new password or setting: the old login goes
            entry = None
        if entry is None:
            pool = self._create(config)
            # one initialisation shared by concurrent callers: two pools for one key would leak
            ready = asyncio.get_running_loop().create_task(_initialised(pool))
            entry = _Entry(config, pool, ready, now)
            self._entries[config.key] = entry
        entry.last_used = now
        return await asyncio.shield(entry.ready)

    def open_count(self) -> int:
        return len(self._entries)

    async def close(self) -> None:
        for entry in self._entries.values():
            self._close_later(entry)
        self._entries.clear()
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)

    def _create(self, config: ModelPostgresClientConfig) -> Pool:
        return asyncpg.create_pool(
            host=config.host,
            port=config.port,
            user=config.user,
            password=config.password.get_secret_value(),
            database=config.database,
            ssl=config.ssl_mode.value,
            min_size=0,
            max_size=self._max_size,
            max_inactive_connection_lifetime=self._idle,
            timeout=self._connect_timeout,
            # statements run with the timeouts the migration and contract give, not a global one
            command_timeout=None,
            statement_cache_size=0,  # each migration's SQL runs once; caching it only costs memory
            server_settings={"application_name": APPLICATION_NAME},
        )

    def _close_idle(self, now: float) -> None:
        for key, entry in list(self._entries.items()):
            if now - entry.last_used > self._idle:
                del self._entries[key]
                self._close_later(entry)

    def _close_later(self, entry: _Entry) -> None:
        task = asyncio.get_running_loop().create_task(_close(entry))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)


async def _initialised(pool: Pool) -> Pool:
    await pool
    return pool


async def _close(entry: _Entry) -> None:
    pool = entry.pool
    with contextlib.suppress(Exception):
        await entry.ready
    try:
        await asyncio.wait_for(pool.close(), _CLOSE_SECONDS)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        with contextlib.suppress(Exception):
            pool.terminate()
