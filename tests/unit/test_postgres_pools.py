"""The postgres connection manager (nodes/postgres_adapter/pools.py) with fake pools: one pool per
key, reused; a changed password replaces the pool and closes the old one; an idle pool is closed."""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from typing import cast

import pytest

from onex_operator.nodes.postgres_adapter.model_postgres_client_config import ModelPostgresClientConfig
from onex_operator.nodes.postgres_adapter.pools import Pool, PostgresPools

pytestmark = pytest.mark.unit


class FakePool:
    """What the manager uses of an asyncpg pool: awaiting it, close() and terminate()."""

    def __init__(self, config: ModelPostgresClientConfig) -> None:
        self.config = config
        self.closed = asyncio.Event()

    def __await__(self) -> Generator[None, None, FakePool]:
        yield from asyncio.sleep(0).__await__()
        return self

    async def close(self) -> None:
        self.closed.set()

    def terminate(self) -> None:
        self.closed.set()


class FakePools(PostgresPools):
    def __init__(self, clock: list[float] | None = None) -> None:
        now = clock if clock is not None else [0.0]
        super().__init__(idle_seconds=300.0, clock=lambda: now[0])
        self.created: list[FakePool] = []

    def _create(self, config: ModelPostgresClientConfig) -> Pool:
        fake = FakePool(config)
        self.created.append(fake)
        return cast("Pool", fake)


def config(password: str = "one", user: str = "app") -> ModelPostgresClientConfig:
    return ModelPostgresClientConfig(
        host="db.example", port=5432, database="orders", user=user, password=password
    )


async def test_the_same_key_reuses_one_pool() -> None:
    pools = FakePools()
    first, again = await pools.pool(config()), await pools.pool(config())
    assert first is again and len(pools.created) == 1 and pools.open_count() == 1
    # concurrent callers share one initialisation: still one pool
    together = await asyncio.gather(*(pools.pool(config()) for _ in range(5)))
    assert all(pool is first for pool in together) and len(pools.created) == 1
    # another role is another key: its own pool
    other = await pools.pool(config(user="reporting"))
    assert other is not first and pools.open_count() == 2
    await pools.close()


async def test_a_changed_password_replaces_the_pool_and_closes_the_old_one() -> None:
    pools = FakePools()
    old = await pools.pool(config("one"))
    new = await pools.pool(config("two"))
    assert new is not old and pools.open_count() == 1
    old_fake, new_fake = pools.created
    await asyncio.wait_for(old_fake.closed.wait(), 10)
    assert not new_fake.closed.is_set()
    assert new_fake.config.password.get_secret_value() == "two"
    assert await pools.pool(config("two")) is new  # the new one is kept
    await pools.close()
    assert new_fake.closed.is_set()


async def test_an_idle_pool_is_closed_and_a_later_lookup_opens_a_new_one() -> None:
    clock = [0.0]
    pools = FakePools(clock)
    idle = await pools.pool(config())
    clock[0] = 301.0
    fresh = await pools.pool(config())
    assert fresh is not idle and len(pools.created) == 2
    await asyncio.wait_for(pools.created[0].closed.wait(), 10)
    assert not pools.created[1].closed.is_set()
    await pools.close()
