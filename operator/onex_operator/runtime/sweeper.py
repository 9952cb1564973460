"""The drift sweep: one loop per kind instead of one timer per resource.

kopf reacts to changes of the custom resources, not to changes in Kafka, so out-of-band drift is
found by looking. Every tick the sweep takes the resources that are due and reconciles them
together; their describe calls meet in one batch, and a resource whose status does not change costs
no write to the apiserver. It also keeps the managed-resources gauge current.
"""

from __future__ import annotations

import asyncio
import logging

from onex_operator.container import ONEXContainer
from onex_operator.nodes.infrastructure_orchestrator.gate import is_ready
from onex_operator.runtime.kafka_topic_reconciler import KIND, KafkaTopicReconciler

_log = logging.getLogger("onex.sweeper")
_IN_FLIGHT_SECONDS = 3600.0  # parked while a sweep works on it; the reconcile reschedules it


class DriftSweeper:
    def __init__(self, container: ONEXContainer, reconciler: KafkaTopicReconciler) -> None:
        self._container = container
        self._reconciler = reconciler

    async def run(self) -> None:
        index = self._container.kafka_topics
        while True:
            await asyncio.sleep(self._container.settings.sweep_tick_seconds)
            due = index.due()
            for uid, _ in due:
                index.schedule(uid, _IN_FLIGHT_SECONDS)
            if due:
                results = await asyncio.gather(
                    *(self._reconciler.reconcile(body, trigger="drift") for _, body in due),
                    return_exceptions=True,
                )
                for (uid, _), result in zip(due, results, strict=True):
                    if isinstance(result, BaseException):
                        _log.warning("drift check of %s failed: %s", uid, type(result).__name__)
                        index.schedule(uid, self._container.settings.retry_interval_seconds)
            self._update_gauge()

    def _update_gauge(self) -> None:
        counts = {"True": 0, "False": 0, "Unknown": 0}
        for body in self._container.kafka_topics.bodies():
            status = body.get("status")
            if not isinstance(status, dict) or not status.get("conditions"):
                counts["Unknown"] += 1
            else:
                counts["True" if is_ready(body) else "False"] += 1
        self._container.metrics.set_managed(KIND.value, counts)
