"""The batcher coalesces concurrent requests and keeps each item's outcome its own."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from onex_operator.batching import Batcher

pytestmark = pytest.mark.unit


async def test_concurrent_requests_share_one_call() -> None:
    calls: list[list[int]] = []

    async def flush(items: Sequence[int]) -> list[int | BaseException]:
        calls.append(list(items))
        return [item * 10 if item != 3 else ValueError("three") for item in items]

    batcher = Batcher[int, int](flush, window_seconds=0.01)
    results = await asyncio.gather(*(batcher.submit(i) for i in range(5)), return_exceptions=True)
    assert calls == [[0, 1, 2, 3, 4]]
    assert results[:3] == [0, 10, 20]
    assert isinstance(results[3], ValueError)
    assert results[4] == 40


async def test_a_full_batch_flushes_at_once_and_a_failed_call_fails_its_batch() -> None:
    calls: list[int] = []

    async def flush(items: Sequence[int]) -> list[int | BaseException]:
        calls.append(len(items))
        if len(calls) == 2:
            raise ConnectionError("down")
        return list(items)

    batcher = Batcher[int, int](flush, window_seconds=10, max_batch=2)
    assert await asyncio.gather(batcher.submit(1), batcher.submit(2)) == [1, 2]
    with pytest.raises(ConnectionError):
        await asyncio.gather(batcher.submit(3), batcher.submit(4))


async def test_requests_arriving_during_a_call_go_out_together_after_it() -> None:
    calls: list[list[int]] = []
    release = asyncio.Event()

    async def flush(items: Sequence[int]) -> list[int | BaseException]:
        calls.append(list(items))
        if len(calls) == 1:
            await release.wait()
        return list(items)

    batcher = Batcher[int, int](flush, window_seconds=0.001)
    first = asyncio.ensure_future(batcher.submit(0))
    await asyncio.sleep(0.01)  # the first call is now in flight
    rest = [asyncio.ensure_future(batcher.submit(i)) for i in range(1, 6)]
    await asyncio.sleep(0.01)
    assert calls == [[0]]
    release.set()
    assert await first == 0
    assert await asyncio.gather(*rest) == [1, 2, 3, 4, 5]
    assert calls == [[0], [1, 2, 3, 4, 5]]
