"""The reconcile pipeline for KafkaTopic, shared by kopf's handlers and the drift sweep:
resolve -> orchestrate -> observe -> plan -> apply -> reduce, one correlation id throughout."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

from pydantic import ValidationError

from onex_operator.container import ONEXContainer
from onex_operator.durations import parse_duration
from onex_operator.errors import (
    EnumRetryPolicy,
    InfraAuthenticationError,
    InfraConnectionError,
    InfraTimeoutError,
    ModelInfraErrorContext,
    ProtocolConfigurationError,
    RuntimeHostError,
    classify,
    sanitize,
)
from onex_operator.kube.api import JsonObject, event_body
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType
from onex_operator.models.enum_managed_kind import EnumManagedKind
from onex_operator.models.enum_management_policy import EnumManagementPolicy
from onex_operator.models.model_kafka_topic_spec import ModelKafkaTopicSpec
from onex_operator.nodes.infrastructure_orchestrator.gate import gate
from onex_operator.nodes.infrastructure_reducer.model_reconcile_result import ModelReconcileResult
from onex_operator.nodes.infrastructure_reducer.reduce import (
    reconciling_status,
    reduce_status,
    status_changed,
)
from onex_operator.nodes.kafka_adapter.connection import kafka_client_config
from onex_operator.nodes.kafka_adapter.reconcile import TopicOutcome, TopicOwnership, reconcile_topic
from onex_operator.runtime.status_store import ResourceRef

KIND = EnumManagedKind.KAFKA_TOPIC
PLURAL = "kafkatopics"
SLOW_RETRY_SECONDS = 300.0
_log = logging.getLogger("onex.kafkatopic")
_REACHABILITY_ERRORS = (InfraConnectionError, InfraTimeoutError, InfraAuthenticationError)


@dataclass(frozen=True)
class ReconcileReport:
    """What the caller should do next: retry after a delay, or nothing (Ready or Stalled)."""

    retry_policy: EnumRetryPolicy | None
    ready: bool


def _meta(body: JsonObject) -> dict[str, object]:
    meta = body.get("metadata")
    return meta if isinstance(meta, dict) else {}


class KafkaTopicReconciler:
    def __init__(self, container: ONEXContainer) -> None:
        self._container = container
        self._posting: set[asyncio.Task[None]] = set()

    def drift_interval(self, spec: ModelKafkaTopicSpec | None) -> float:
        if spec is not None and spec.drift_interval:
            return parse_duration(spec.drift_interval)
        return self._container.settings.drift_interval_seconds

    async def reconcile(self, body: JsonObject, trigger: str) -> ReconcileReport:
        uid = str(_meta(body).get("uid", ""))
        if _meta(body).get("deletionTimestamp"):
            return ReconcileReport(retry_policy=None, ready=False)  # the finalizer's turn now
        async with self._container.lock(uid):
            return await self._reconcile(body, trigger)

    async def _reconcile(self, body: JsonObject, trigger: str) -> ReconcileReport:
        container = self._container
        correlation_id = uuid4()
        started = time.monotonic()
        meta = _meta(body)
        namespace, name = str(meta.get("namespace", "")), str(meta.get("name", ""))
        generation = int(str(meta.get("generation", 1)))
        uid = str(meta.get("uid", ""))
        previous = container.statuses.current(uid, body)

        spec: ModelKafkaTopicSpec | None = None
        outcome: TopicOutcome | None = None
        try:
            spec = _parse_spec(body, namespace, name, correlation_id)
            result, outcome = await self._run(body, spec, previous, generation, correlation_id)
        except RuntimeHostError as error:
            result = ModelReconcileResult(generation=generation, error=error)

        before = previous
        previous = container.statuses.current(uid, body)  # includes a Reconciling write of this reconcile
        now = datetime.now(UTC)
        status = reduce_status(previous, result, now)
        changed = status_changed(previous, status)
        if changed:
            await container.statuses.write(
                ResourceRef(uid, PLURAL, namespace, name), status, previous, correlation_id
            )
        self._announce(
            body, before, result, outcome=outcome, trigger=trigger, correlation_id=correlation_id, now=now
        )
        report = self._report(result)
        label = _result_label(result)
        container.metrics.observe_reconcile(KIND.value, label, time.monotonic() - started)
        if result.error is not None:
            container.metrics.count_error(KIND.value, classify(result.error).error_class.value)
        container.kafka_topics.schedule(
            uid,
            self.drift_interval(spec)
            if report.ready or report.retry_policy is None
            else container.settings.retry_interval_seconds,
        )
        applied = "; ".join(outcome.applied) if outcome is not None else ""
        detail = applied or result.message or (result.error.message if result.error else "")
        # a drift check that found nothing is routine: it would be a thousand lines per interval
        level = logging.INFO if changed or applied else logging.DEBUG
        _log.log(
            level, "%s %s/%s (%s): %s %s", correlation_id, namespace, name, trigger, label, sanitize(detail)
        )
        return report

    async def _run(
        self,
        body: JsonObject,
        spec: ModelKafkaTopicSpec,
        previous: dict[str, object],
        generation: int,
        correlation_id: UUID,
    ) -> tuple[ModelReconcileResult, TopicOutcome | None]:
        container = self._container
        meta = _meta(body)
        namespace, name = str(meta.get("namespace", "")), str(meta.get("name", ""))
        topic = spec.topic_name or name
        decision = await gate(
            container.kube,
            namespace=namespace,
            kind=KIND,
            name=name,
            depends_on=spec.depends_on or [],
            correlation_id=correlation_id,
        )
        if not decision.proceed:
            waiting = ", ".join(f"{ref.kind.value}/{ref.name}" for ref in decision.waiting_on or [])
            return ModelReconcileResult(
                generation=generation,
                reason="DependencyNotReady",
                progressing=True,
                message=f"waiting for {waiting} to be Ready",
            ), None
        owner = self._older_claimant(body)
        if owner is not None:
            return _conflict(generation, f"topic {topic} is already managed by KafkaTopic {owner}"), None

        label, config = await container.kafka_connections.get(
            (namespace, spec.connection_ref),
            lambda: kafka_client_config(container.kube, namespace, spec.connection_ref, correlation_id),
        )
        admin = container.kafka_admin(label, config)

        ref = ResourceRef(str(meta.get("uid", "")), PLURAL, namespace, name)

        async def report_reconciling(creating: bool) -> None:
            # one write: observedGeneration and Reconciling before any change, and the claim on a
            # topic about to be created (a crash between create and final status keeps it ours)
            early = reconciling_status(previous, generation, datetime.now(UTC))
            if creating:
                early["topicName"] = topic
            await container.statuses.write(ref, early, previous, correlation_id)

        ownership = TopicOwnership(
            recorded_topic_name=_str_or_none(previous.get("topicName")),
            recorded_topic_id=_str_or_none(previous.get("topicId")),
            adopt=spec.adopt,
        )
        try:
            outcome = await reconcile_topic(
                admin,
                topic=topic,
                spec=spec,
                ownership=ownership,
                correlation_id=correlation_id,
                before_apply=report_reconciling,
            )
        except RuntimeHostError as error:
            if isinstance(error, _REACHABILITY_ERRORS):
                container.health.set_service(
                    label, "kafka", False, classify(error).error_class.value, error.message
                )
            raise
        container.health.set_service(label, "kafka", True, None)
        return _result_of(outcome, spec, generation, previous), outcome

    def _older_claimant(self, body: JsonObject) -> str | None:
        """Another resource naming the same topic on the same connection, created earlier."""
        my_rank, my_uid = _rank(body), _meta(body).get("uid")
        for other in self._container.kafka_topics.group_of(body):
            if _meta(other).get("uid") != my_uid and _rank(other) < my_rank:
                return f"{_meta(other).get('namespace')}/{_meta(other).get('name')}"
        return None

    def _report(self, result: ModelReconcileResult) -> ReconcileReport:
        if result.error is not None:
            verdict = classify(result.error)
            return ReconcileReport(
                retry_policy=verdict.retry_policy if verdict.retryable else None, ready=False
            )
        if result.progressing:
            return ReconcileReport(retry_policy=EnumRetryPolicy.BACKOFF, ready=False)
        return ReconcileReport(retry_policy=None, ready=result.ready)

    def _announce(
        self,
        body: JsonObject,
        previous: dict[str, object],
        result: ModelReconcileResult,
        *,
        outcome: TopicOutcome | None,
        trigger: str,
        correlation_id: UUID,
        now: datetime,
    ) -> None:
        """Events: one for every change applied, one whenever the error class changes."""
        events: list[tuple[str, str, bool]] = []
        if outcome is not None and outcome.applied:
            reason = "DriftCorrected" if trigger == "drift" else ("Created" if outcome.created else "Updated")
            if trigger == "drift":
                self._container.metrics.count_drift_correction(KIND.value)
            events.append((reason, "; ".join(outcome.applied), False))
        old_error = previous.get("lastError")
        old_class = old_error.get("errorClass") if isinstance(old_error, dict) else None
        new_class = classify(result.error).error_class.value if result.error is not None else None
        if new_class != old_class and result.error is not None:
            events.append((new_class or "Error", result.error.message, True))
        elif new_class is None and old_class is not None and result.ready:
            events.append(("Recovered", f"Ready again after {old_class}", False))
        if (
            result.reason in {"ResourceConflict", "DriftDetected"}
            and _ready_reason(previous) != result.reason
        ):
            events.append((result.reason, result.message, True))
        namespace = str(_meta(body).get("namespace", ""))
        for reason, message, warning in events:
            text = sanitize(f"{message} (correlationId {correlation_id})")
            self._post_later(
                namespace, event_body(body, reason, text, warning, now.isoformat()), correlation_id
            )

    def _post_later(self, namespace: str, event: JsonObject, correlation_id: UUID) -> None:
        """Events are a report, not part of the reconcile: posting them never delays it."""

        async def post() -> None:
            try:
                await self._container.kube.post_event(namespace, event, correlation_id)
            except RuntimeHostError as error:
                _log.warning("%s: could not post an Event: %s", correlation_id, error.message)

        task = asyncio.get_running_loop().create_task(post())
        self._posting.add(task)
        task.add_done_callback(self._posting.discard)


def _parse_spec(body: JsonObject, namespace: str, name: str, correlation_id: UUID) -> ModelKafkaTopicSpec:
    try:
        return ModelKafkaTopicSpec.model_validate(body.get("spec") or {})
    except ValidationError as error:
        raise ProtocolConfigurationError(
            f"spec is invalid: {error}",
            context=ModelInfraErrorContext(
                transport_type=EnumInfraTransportType.KAFKA,
                operation="parse_spec",
                target_name=f"{namespace}/{name}",
                correlation_id=correlation_id,
            ),
        ) from error


def _result_of(
    outcome: TopicOutcome, spec: ModelKafkaTopicSpec, generation: int, previous: dict[str, object]
) -> ModelReconcileResult:
    observed: dict[str, str | int | None] = {"topicName": outcome.topic}
    if outcome.observed is not None and outcome.conflict is None:
        observed |= {
            "topicId": outcome.observed.topic_id,
            "partitions": outcome.observed.partitions,
            "replicationFactor": outcome.observed.replication_factor,
        }
    elif outcome.conflict is not None:
        observed = {"topicName": _str_or_none(previous.get("topicName"))}
    if outcome.conflict is not None:
        return _conflict(generation, outcome.conflict).model_copy(update={"observed": observed})
    if spec.management_policy is EnumManagementPolicy.OBSERVE:
        if outcome.drift:
            return ModelReconcileResult(
                generation=generation,
                reason="DriftDetected",
                observed=observed,
                message="Observe policy, not corrected: " + "; ".join(outcome.drift),
            )
        return ModelReconcileResult(
            generation=generation,
            ready=True,
            reason="InSync",
            observed=observed,
            message=f"topic {outcome.topic} matches the spec (observed only)",
        )
    # the state, not the last action (that is in the Event): a no-op reconcile then writes nothing
    message = f"topic {outcome.topic} matches the spec"
    return ModelReconcileResult(
        generation=generation, ready=True, reason="Reconciled", message=message, observed=observed
    )


def _conflict(generation: int, message: str) -> ModelReconcileResult:
    return ModelReconcileResult(
        generation=generation, reason="ResourceConflict", stalled=True, message=message
    )


def _result_label(result: ModelReconcileResult) -> str:
    if result.error is not None:
        return "error"
    if result.reason == "ResourceConflict":
        return "conflict"
    if result.reason == "DependencyNotReady":
        return "dependency_not_ready"
    if result.reason in {"DriftDetected", "InSync"}:
        return "observed"
    return "success"


def _ready_reason(status: dict[str, object]) -> object:
    conditions = status.get("conditions")
    if isinstance(conditions, list):
        for condition in conditions:
            if isinstance(condition, dict) and condition.get("type") == "Ready":
                return condition.get("reason")
    return None


def _rank(body: JsonObject) -> tuple[str, str, str]:
    meta = _meta(body)
    return (str(meta.get("creationTimestamp", "")), str(meta.get("namespace", "")), str(meta.get("name", "")))


def _str_or_none(value: object) -> str | None:
    return str(value) if value else None
