"""The drift sweep: one loop per kind instead of one timer per resource.

kopf reacts to changes of the custom resources, not to changes in Kafka, so out-of-band drift is
found by looking. Every tick the sweep starts the checks that are due; checks started in the same
tick meet in one batched describe, and a resource whose status does not change costs no write to
the apiserver. Each check runs on its own, so a connection that waits out its timeouts never holds
up the others. The sweep also keeps the managed-resources gauge current.
"""

from __future__ import annotations

import asyncio
import logging

from onex_operator.container import ONEXContainer
from onex_operator.kube.api import JsonObject
from onex_operator.nodes.infrastructure_orchestrator.gate import is_ready
from onex_operator.runtime.kafka_topic_reconciler import KIND, KafkaTopicReconciler

_log = logging.getLogger("onex.sweeper")
_IN_FLIGHT_SECONDS = 3600.0  # parked while a check runs; the reconcile reschedules it


class DriftSweeper:
    def __init__(self, container: ONEXContainer, reconciler: KafkaTopicReconciler) -> None:
        self._container = container
        self._reconciler = reconciler
        self._running: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        index = self._container.kafka_topics
        try:
            while True:
                await asyncio.sleep(self._container.settings.sweep_tick_seconds)
                for uid, body in index.due():
                    index.schedule(uid, _IN_FLIGHT_SECONDS)
                    task = asyncio.create_task(self._check(uid, body))
                    self._running.add(task)
                    task.add_done_callback(self._running.discard)
                self._update_gauge()
        finally:
            for task in self._running:
                task.cancel()

    async def _check(self, uid: str, body: JsonObject) -> None:
        try:
            await self._reconciler.reconcile(body, trigger="drift")
        except Exception as error:  # noqa: BLE001 - one failed check must not end the sweep
            _log.warning("drift check of %s failed: %s", uid, type(error).__name__)
            self._container.kafka_topics.schedule(uid, self._container.settings.retry_interval_seconds)

    def _update_gauge(self) -> None:
        counts = {"True": 0, "False": 0, "Unknown": 0}
        for body in self._container.kafka_topics.bodies():
            status = body.get("status")
            if not isinstance(status, dict) or not status.get("conditions"):
                counts["Unknown"] += 1
            else:
                counts["True" if is_ready(body) else "False"] += 1
        self._container.metrics.set_managed(KIND.value, counts)
