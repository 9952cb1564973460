"""The drift sweep: one loop for every kind instead of one timer per resource.

kopf reacts to changes of the custom resources, not to changes in Kafka or Vault, so out-of-band
drift is found by looking. Every tick the sweep starts the checks that are due, for every kind;
checks started in the same tick meet in one batched call where the service allows it, and a
resource whose status does not change costs no write to the apiserver. Each check runs on its own,
so a connection that waits out its timeouts never holds up the others. The sweep also keeps the
managed-resources gauge current.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Sequence
from typing import Protocol

from onex_operator.models.enum_managed_kind import EnumManagedKind
from onex_operator.runtime.metrics import OperatorMetrics


class ProtocolSwept(Protocol):
    """What the sweep (and the Secret watch) needs of one kind's reconciler."""

    @property
    def kind(self) -> EnumManagedKind: ...

    def due_checks(self) -> list[Coroutine[object, object, None]]: ...

    def readiness_counts(self) -> dict[str, int]: ...

    def secret_changed(self, namespace: str, name: str) -> int: ...


class DriftSweeper:
    def __init__(self, kinds: Sequence[ProtocolSwept], metrics: OperatorMetrics, tick_seconds: float) -> None:
        self._kinds = kinds
        self._metrics = metrics
        self._tick = tick_seconds
        self._running: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        try:
            while True:
                await asyncio.sleep(self._tick)
                for kind in self._kinds:
                    for check in kind.due_checks():
                        task = asyncio.create_task(check)
                        self._running.add(task)
                        task.add_done_callback(self._running.discard)
                    self._metrics.set_managed(kind.kind.value, kind.readiness_counts())
        finally:
            for task in self._running:
                task.cancel()
