"""Kubernetes Events of a reconcile: one for every change applied, one whenever the error class
changes, one when a conflict or drift is first seen. Posting never delays a reconcile."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from uuid import UUID

from onex_operator.errors import RuntimeHostError, classify, sanitize
from onex_operator.kube.api import JsonObject, KubeApi, event_body
from onex_operator.nodes.infrastructure_reducer.model_reconcile_result import ModelReconcileResult
from onex_operator.runtime.managed.envelope import ResourceEnvelope
from onex_operator.runtime.managed.results import CONFLICT, DRIFT_DETECTED, ready_reason

_log = logging.getLogger("onex.events")


class EventPoster:
    def __init__(self, kube: KubeApi) -> None:
        self._kube = kube
        self._posting: set[asyncio.Task[None]] = set()

    def announce(
        self,
        resource: ResourceEnvelope,
        previous: JsonObject,
        result: ModelReconcileResult,
        *,
        applied: list[str],
        created: bool,
        trigger: str,
        correlation_id: UUID,
        now: datetime,
    ) -> bool:
        """Posts the reconcile's Events; returns whether a drift was corrected."""
        events: list[tuple[str, str, bool]] = []
        drift_corrected = bool(applied) and trigger == "drift"
        if applied:
            reason = "DriftCorrected" if drift_corrected else ("Created" if created else "Updated")
            events.append((reason, "; ".join(applied), False))
        old_error = previous.get("lastError")
        old_class = old_error.get("errorClass") if isinstance(old_error, dict) else None
        new_class = classify(result.error).error_class.value if result.error is not None else None
        if new_class != old_class and result.error is not None:
            events.append((new_class or "Error", result.error.message, True))
        elif new_class is None and old_class is not None and result.ready:
            events.append(("Recovered", f"Ready again after {old_class}", False))
        if result.reason in {CONFLICT, DRIFT_DETECTED} and ready_reason(previous) != result.reason:
            events.append((result.reason, result.message, True))
        for reason, message, warning in events:
            self.post(resource, reason, message, warning=warning, correlation_id=correlation_id, now=now)
        return drift_corrected

    def post(
        self,
        resource: ResourceEnvelope,
        reason: str,
        message: str,
        *,
        warning: bool,
        correlation_id: UUID,
        now: datetime,
    ) -> None:
        text = sanitize(f"{message} (correlationId {correlation_id})")
        event = event_body(resource.body, reason, text, warning, now.isoformat())

        async def post() -> None:
            try:
                await self._kube.post_event(resource.namespace, event, correlation_id)
            except RuntimeHostError as error:
                _log.warning("%s: could not post an Event: %s", correlation_id, error.message)

        task = asyncio.get_running_loop().create_task(post())
        self._posting.add(task)
        task.add_done_callback(self._posting.discard)
