"""Coalesce concurrent requests into one batched call.

Reconciles of many resources run concurrently; each submits its request and awaits its own result,
while the batcher sends one admin call for everything submitted within a short window (Strimzi's
BatchingLoop, in asyncio). While one call is in flight, new requests wait and go out together when it
returns, so a steady stream of reconciles still costs few calls. One failing item never fails its
neighbours: the flush function returns a result or an exception per request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

RequestT = TypeVar("RequestT")
ResultT = TypeVar("ResultT")

FlushFunction = Callable[[Sequence[RequestT]], Awaitable[Sequence[ResultT | BaseException]]]


class Batcher(Generic[RequestT, ResultT]):
    def __init__(
        self, flush: FlushFunction[RequestT, ResultT], window_seconds: float = 0.05, max_batch: int = 500
    ) -> None:
        self._flush = flush
        self._window = window_seconds
        self._max_batch = max_batch
        self._pending: list[tuple[RequestT, asyncio.Future[ResultT]]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._in_flight: asyncio.Task[None] | None = None

    async def submit(self, request: RequestT) -> ResultT:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[ResultT] = loop.create_future()
        self._pending.append((request, future))
        if self._in_flight is None:
            if len(self._pending) >= self._max_batch:
                self._start_flush()
            elif self._timer is None:
                self._timer = loop.call_later(self._window, self._start_flush)
        return await future

    def _start_flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._pending = self._pending[: self._max_batch], self._pending[self._max_batch :]
        if batch:
            self._in_flight = asyncio.get_running_loop().create_task(self._run(batch))
            self._in_flight.add_done_callback(self._after_flight)

    def _after_flight(self, _: asyncio.Task[None]) -> None:
        self._in_flight = None
        if self._pending:  # what arrived meanwhile goes out at once, as one batch
            self._start_flush()

    async def _run(self, batch: list[tuple[RequestT, asyncio.Future[ResultT]]]) -> None:
        try:
            results = await self._flush([request for request, _ in batch])
        except BaseException as error:  # noqa: BLE001 - a failed call fails every request of the batch
            results = [error] * len(batch)
        for (_, future), result in zip(batch, results, strict=True):
            if future.done():
                continue
            if isinstance(result, BaseException):
                future.set_exception(result)
            else:
                future.set_result(result)
