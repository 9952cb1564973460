"""The managed-resource reconciler, one instance per kind, the same code for every kind:
resolve -> orchestrate -> observe -> ownership -> pure plan -> apply -> reduce, one correlation id
throughout. Everything a kind knows about its service lives in its adapter."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Generic
from uuid import UUID, uuid4

from onex_operator.container import ONEXContainer
from onex_operator.durations import parse_duration
from onex_operator.errors import (
    InfraAuthenticationError,
    InfraConnectionError,
    InfraTimeoutError,
    ModelInfraErrorContext,
    ProtocolConfigurationError,
    RuntimeHostError,
    classify,
    sanitize,
)
from onex_operator.kube.api import FinalizerTarget
from onex_operator.models.enum_deletion_policy import EnumDeletionPolicy
from onex_operator.models.enum_managed_kind import EnumManagedKind
from onex_operator.models.enum_management_policy import EnumManagementPolicy
from onex_operator.nodes.connection_resolver.keys import connection_key
from onex_operator.nodes.infrastructure_orchestrator.gate import gate, is_ready
from onex_operator.nodes.infrastructure_reducer.model_reconcile_result import ModelReconcileResult
from onex_operator.nodes.infrastructure_reducer.reduce import (
    reconciling_status,
    reduce_status,
    status_changed,
)
from onex_operator.runtime.managed.adapter import (
    EnumOwnership,
    InputsT,
    ObservedT,
    PlanT,
    ProtocolResourceAdapter,
    SessionT,
    SpecT,
)
from onex_operator.runtime.managed.envelope import (
    FINALIZER,
    InvalidResource,
    ManagedResource,
    ResourceEnvelope,
    envelope_of,
)
from onex_operator.runtime.managed.events import EventPoster
from onex_operator.runtime.managed.results import (
    DEPENDENCY_NOT_READY,
    DRIFT_DETECTED,
    IN_SYNC,
    ReconcileReport,
    conflict,
    label_of,
    report_of,
)
from onex_operator.runtime.managed.usage import ConnectionUser
from onex_operator.runtime.resource_index import ResourceIndex
from onex_operator.runtime.status_store import ResourceRef

_log = logging.getLogger("onex.reconciler")
SOURCE_CHANGED = "source Secret changed"
ABANDON = "abandon"  # infra.onex.dev/abandon: "true" releases a resource and keeps its object
_REACHABILITY_ERRORS = (InfraConnectionError, InfraTimeoutError, InfraAuthenticationError)
_IN_FLIGHT_SECONDS = 3600.0  # parked while a drift check runs; the reconcile reschedules it


@dataclass
class _Outcome:
    result: ModelReconcileResult
    applied: list[str] = field(default_factory=list)
    created: bool = False


class ManagedReconciler(Generic[SpecT, SessionT, InputsT, ObservedT, PlanT]):
    def __init__(
        self,
        container: ONEXContainer,
        adapter: ProtocolResourceAdapter[SpecT, SessionT, InputsT, ObservedT, PlanT],
        events: EventPoster,
    ) -> None:
        self._container = container
        self.adapter = adapter
        self._events = events
        self.index: ResourceIndex[ManagedResource[SpecT] | InvalidResource] = ResourceIndex(
            lambda resource: adapter.claim_key(resource.body)
        )
        # (namespace, Secret name) -> uids of the resources that read it
        self._secret_users: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
        self._secrets_of: dict[str, set[tuple[str, str]]] = {}
        self._abandoned: set[str] = set()
        self._retrying: set[str] = set()
        # uid -> why the sweep looks at it before its interval (announced as a change, not drift)
        self._requeued: dict[str, str] = {}
        self._blocked: dict[str, str] = {}  # uid -> error class of a deletion that could not happen

    @property
    def kind(self) -> EnumManagedKind:
        return self.adapter.kind

    # -- the kopf boundary -------------------------------------------------------------------

    def envelope(self, body: Mapping[str, object]) -> ManagedResource[SpecT] | InvalidResource:
        return envelope_of(self.adapter.kind, body, self.adapter.parse_spec)

    def seen(self, resource: ManagedResource[SpecT] | InvalidResource) -> None:
        """A watch event: keep the index (drift sweep, conflicts), the Secret users and the
        connections in use current."""
        known = self.index.get(resource.uid)
        if known is None or known.body.get("spec") != resource.body.get("spec") or resource.deleting:
            self._container.usage.changed()
        if resource.annotation(ABANDON) == "true" and resource.uid not in self._abandoned:
            self._abandoned.add(resource.uid)
            self._announce_abandon(resource)
        self.index.upsert(resource.uid, resource, self._container.settings.retry_interval_seconds)
        secrets = (
            {(resource.namespace, name) for name in self.adapter.secret_refs(resource)}
            if isinstance(resource, ManagedResource)
            else set()
        )
        self._forget_secrets(resource.uid)
        for key in secrets:
            self._secret_users[key].add(resource.uid)
        self._secrets_of[resource.uid] = secrets

    def gone(self, uid: str) -> None:
        resource = self.index.get(uid)
        if isinstance(resource, ManagedResource) and not self.deletes_on_removal(resource):
            kept = "abandoned" if resource.annotation(ABANDON) == "true" else self._kept_by_policy(resource)
            _log.info(
                "%s %s: %s, %s kept",
                self.kind.value,
                resource.label,
                kept,
                self.adapter.external_name(resource),
            )
        self.index.remove(uid)
        self._abandoned.discard(uid)
        self._retrying.discard(uid)
        self._requeued.pop(uid, None)
        self._blocked.pop(uid, None)
        self._forget_secrets(uid)
        self._container.forget(uid)
        self._container.usage.changed()

    def retrying_count(self) -> int:
        return len(self._retrying)

    def deletes_on_removal(self, resource: ManagedResource[SpecT] | InvalidResource) -> bool:
        """Whether deleting the resource deletes its external object: only then does it carry a
        finalizer (a resource that keeps its object never holds up a namespace's deletion)."""
        return (
            isinstance(resource, ManagedResource)
            and resource.spec.deletion_policy is EnumDeletionPolicy.DELETE
            and resource.spec.management_policy is EnumManagementPolicy.MANAGE
            and resource.annotation(ABANDON) != "true"
        )

    def connection_users(self) -> list[ConnectionUser]:
        return [
            ConnectionUser(
                connection_key(resource.body), resource.namespace, f"{self.kind.value} {resource.label}"
            )
            for resource in self.index.items()
        ]

    def _deletion_blocked(
        self, resource: ManagedResource[SpecT], external: str, error: RuntimeHostError, correlation_id: UUID
    ) -> None:
        """Say what is kept and why, once per error class: the resource stays until it can be
        deleted or a person releases it."""
        error_class = classify(error).error_class.value
        message = (
            f"{external} not deleted yet ({error_class}: {error.message}); retried. To release the "
            'resource and keep it, annotate infra.onex.dev/abandon: "true"'
        )
        _log.warning("%s %s %s: %s", correlation_id, self.kind.value, resource.label, sanitize(message))
        if self._blocked.get(resource.uid) != error_class:
            self._blocked[resource.uid] = error_class
            self._events.post(
                resource,
                "DeletionBlocked",
                message,
                warning=True,
                correlation_id=correlation_id,
                now=datetime.now(UTC),
            )

    def _kept_by_policy(self, resource: ManagedResource[SpecT]) -> str:
        if resource.spec.management_policy is EnumManagementPolicy.OBSERVE:
            return "managementPolicy Observe"
        return f"deletionPolicy {resource.spec.deletion_policy.value}"

    def _announce_abandon(self, resource: ManagedResource[SpecT] | InvalidResource) -> None:
        external = (
            self.adapter.external_name(resource) if isinstance(resource, ManagedResource) else "nothing"
        )
        message = f"annotation infra.onex.dev/abandon is set: deleting this resource keeps {external}"
        _log.warning("%s %s: %s", self.kind.value, resource.label, message)
        self._events.post(
            resource, "Abandoned", message, warning=True, correlation_id=uuid4(), now=datetime.now(UTC)
        )

    def secret_changed(self, namespace: str, name: str) -> int:
        """A Secret that resources read changed: look at them at the next sweep tick."""
        users = self._secret_users.get((namespace, name), set())
        for uid in users:
            self.index.schedule(uid, 0.0)
            self._requeued[uid] = SOURCE_CHANGED
        return len(users)

    def _forget_secrets(self, uid: str) -> None:
        for key in self._secrets_of.pop(uid, set()):
            self._secret_users[key].discard(uid)
            if not self._secret_users[key]:
                del self._secret_users[key]

    # -- drift sweep -------------------------------------------------------------------------

    def due_checks(self) -> list[Coroutine[object, object, None]]:
        checks: list[Coroutine[object, object, None]] = []
        for uid, resource in self.index.due():
            if resource.raw_status.get("observedGeneration") != resource.generation:
                # kopf's create or update handler owns a generation until it has been reconciled
                # once (queued behind a burst, or retrying): a sweep now would only repeat it
                self.index.schedule(uid, self._container.settings.retry_interval_seconds)
                continue
            self.index.schedule(uid, _IN_FLIGHT_SECONDS)
            checks.append(self._drift_check(resource))
        return checks

    def readiness_counts(self) -> dict[str, int]:
        counts = {"True": 0, "False": 0, "Unknown": 0}
        for resource in self.index.items():
            if not resource.raw_status.get("conditions"):
                counts["Unknown"] += 1
            else:
                counts["True" if is_ready(resource.body) else "False"] += 1
        return counts

    async def _drift_check(self, resource: ManagedResource[SpecT] | InvalidResource) -> None:
        finished = False
        try:
            await self.reconcile(resource, trigger=self._requeued.pop(resource.uid, "drift"))
            finished = True
        except Exception as error:  # noqa: BLE001 - one failed check must not end the sweep
            _log.warning(
                "drift check of %s %s failed: %s",
                self.adapter.kind.value,
                resource.label,
                type(error).__name__,
            )
        finally:
            # also when the check was cancelled (a replaced client cancels its queued calls): the
            # resource was parked while the check ran and must not stay parked
            if not finished:
                self.index.schedule(resource.uid, self._container.settings.retry_interval_seconds)

    def drift_interval(self, resource: ManagedResource[SpecT] | InvalidResource) -> float:
        if isinstance(resource, ManagedResource) and resource.spec.drift_interval:
            return parse_duration(resource.spec.drift_interval)
        return self._container.settings.drift_interval_seconds

    # -- reconcile ---------------------------------------------------------------------------

    async def reconcile(
        self, resource: ManagedResource[SpecT] | InvalidResource, trigger: str
    ) -> ReconcileReport:
        if resource.deleting:
            return ReconcileReport(retry_policy=None, ready=False)  # the finalizer's turn now
        async with self._container.lock(resource.uid):
            return await self._reconcile(resource, trigger)

    async def _reconcile(
        self, resource: ManagedResource[SpecT] | InvalidResource, trigger: str
    ) -> ReconcileReport:
        container, kind = self._container, self.adapter.kind.value
        correlation_id = uuid4()
        started = time.monotonic()
        before = container.statuses.current(resource.uid, resource.body)
        try:
            outcome = await self._run(resource, before, correlation_id)
        except RuntimeHostError as error:
            outcome = _Outcome(ModelReconcileResult(generation=resource.generation, error=error))
        result = outcome.result

        previous = container.statuses.current(
            resource.uid, resource.body
        )  # with this reconcile's early write
        now = datetime.now(UTC)
        status = reduce_status(previous, result, now)
        changed = status_changed(previous, status)
        if changed:
            await container.statuses.write(self._ref(resource), status, previous, correlation_id)
        if self._events.announce(
            resource,
            before,
            result,
            applied=outcome.applied,
            created=outcome.created,
            trigger=trigger,
            correlation_id=correlation_id,
            now=now,
        ):
            container.metrics.count_drift_correction(kind)
        report = report_of(result)
        (self._retrying.add if report.retry_policy is not None else self._retrying.discard)(resource.uid)
        label = label_of(result)
        container.metrics.observe_reconcile(kind, label, time.monotonic() - started)
        if result.error is not None:
            container.metrics.count_error(kind, classify(result.error).error_class.value)
        self.index.schedule(
            resource.uid,
            self.drift_interval(resource)
            if report.ready or report.retry_policy is None
            else container.settings.retry_interval_seconds,
        )
        applied = "; ".join(outcome.applied)
        detail = applied or result.message or (result.error.message if result.error else "")
        if result.error is not None:
            label = f"{label} {classify(result.error).error_class.value}:"
        elif report.retry_policy is not None:
            label = f"{label} {result.reason}:"
        # a drift check that found nothing is routine: it would be a thousand lines per interval
        level = logging.INFO if changed or applied else logging.DEBUG
        _log.log(
            level,
            "%s %s %s (%s): %s %s",
            correlation_id,
            kind,
            resource.label,
            trigger,
            label,
            sanitize(detail),
        )
        return report

    async def _run(
        self,
        resource: ManagedResource[SpecT] | InvalidResource,
        previous: dict[str, object],
        correlation_id: UUID,
    ) -> _Outcome:
        if isinstance(resource, InvalidResource):
            raise ProtocolConfigurationError(
                f"spec is invalid: {resource.spec_error}",
                context=self._context("parse_spec", resource.label, correlation_id),
            )
        spec = resource.spec
        generation = resource.generation
        decision = await gate(
            self._container.kube,
            namespace=resource.namespace,
            kind=self.adapter.kind,
            name=resource.name,
            depends_on=spec.depends_on or [],
            correlation_id=correlation_id,
        )
        if not decision.proceed:
            waiting = ", ".join(f"{ref.kind.value}/{ref.name}" for ref in decision.waiting_on or [])
            return _Outcome(
                ModelReconcileResult(
                    generation=generation,
                    reason=DEPENDENCY_NOT_READY,
                    progressing=True,
                    message=f"waiting for {waiting} to be Ready",
                )
            )
        owner = self._older_claimant(resource)
        if owner is not None:
            return _Outcome(
                conflict(
                    generation,
                    f"{self.adapter.external_name(resource)} is already managed by "
                    f"{self.adapter.kind.value} {owner}",
                )
            )
        session = await self.adapter.connect(resource, correlation_id)
        label = self.adapter.connection_label(session)
        transport = self.adapter.transport.value
        try:
            outcome = await self._against_service(session, resource, previous, correlation_id)
        except RuntimeHostError as error:
            if isinstance(error, _REACHABILITY_ERRORS):
                self._container.health.set_service(
                    label, transport, False, classify(error).error_class.value, error.message
                )
            raise
        self._container.health.set_service(label, transport, True, None)
        return outcome

    async def _against_service(
        self,
        session: SessionT,
        resource: ManagedResource[SpecT],
        previous: dict[str, object],
        correlation_id: UUID,
    ) -> _Outcome:
        adapter, generation, spec = self.adapter, resource.generation, resource.spec
        external = adapter.external_name(resource)
        inputs = await adapter.inputs(session, resource, correlation_id)
        observed = await adapter.observe(session, resource, correlation_id)
        ownership = adapter.ownership(resource, observed, previous)
        if ownership.state is EnumOwnership.FOREIGN and not (spec.adopt and ownership.adoptable):
            return _Outcome(
                conflict(
                    generation,
                    ownership.detail
                    or f"{external} already exists and was not created by this resource; "
                    "set spec.adopt: true to manage it",
                )
            )
        plan = adapter.plan(resource, inputs, observed, previous, ownership)
        if plan.refusals:
            raise ProtocolConfigurationError(
                "; ".join(plan.refusals),
                context=self._context(
                    "plan", f"{adapter.connection_label(session)}/{external}", correlation_id
                ),
            )
        changes = [change.describe() for change in plan.changes]
        if spec.management_policy is EnumManagementPolicy.OBSERVE:
            fields = adapter.status_fields(resource, observed)
            if changes:
                return _Outcome(
                    ModelReconcileResult(
                        generation=generation,
                        reason=DRIFT_DETECTED,
                        observed=fields,
                        message="Observe policy, not corrected: " + "; ".join(changes),
                    )
                )
            return _Outcome(
                ModelReconcileResult(
                    generation=generation,
                    ready=True,
                    reason=IN_SYNC,
                    observed=fields,
                    message=f"{external} matches the spec (observed only)",
                )
            )
        if changes:
            # one write: observedGeneration and Reconciling before any change, and the claim on an
            # object about to be created (a crash between create and final status keeps it ours)
            early = reconciling_status(previous, generation, datetime.now(UTC))
            early.update(adapter.claim(resource, plan))
            await self._container.statuses.write(self._ref(resource), early, previous, correlation_id)
            observed = await adapter.apply(session, resource, plan, observed, correlation_id)
        # the state, not the last action (that is in the Event): a no-op reconcile then writes nothing
        return _Outcome(
            ModelReconcileResult(
                generation=generation,
                ready=True,
                reason="Reconciled",
                message=f"{external} matches the spec",
                observed=adapter.status_fields(resource, observed),
            ),
            applied=changes,
            created=ownership.state is EnumOwnership.ABSENT,
        )

    # -- deletion ----------------------------------------------------------------------------

    async def delete(self, resource: ManagedResource[SpecT] | InvalidResource) -> None:
        """Delete the external object of a resource whose policy says so. Raises a RuntimeHostError
        while it cannot (the deletion is retried; the abandon annotation releases the resource)."""
        if not isinstance(resource, ManagedResource) or not self.deletes_on_removal(resource):
            return  # kopf keeps no finalizer for these; a stale one is released here
        adapter, kind = self.adapter, self.adapter.kind.value
        external = adapter.external_name(resource)
        if self._older_claimant(resource) is not None:
            _log.info("%s %s: %s was never this resource's; not deleted", kind, resource.label, external)
            return
        correlation_id = uuid4()
        async with self._container.lock(resource.uid):
            status = self._container.statuses.current(resource.uid, resource.body)
            try:
                session = await adapter.connect(resource, correlation_id)
                observed = await adapter.observe(session, resource, correlation_id)
                ownership = adapter.ownership(resource, observed, status).state
                if ownership is not EnumOwnership.OURS:
                    _log.info(
                        "%s %s %s: %s is %s, not this resource's; not deleted",
                        correlation_id,
                        kind,
                        resource.label,
                        external,
                        "absent" if ownership is EnumOwnership.ABSENT else "someone else's",
                    )
                    return
                await adapter.delete(session, resource, observed, correlation_id)
            except RuntimeHostError as error:
                self._deletion_blocked(resource, external, error, correlation_id)
                raise
        _log.info(
            "%s %s %s: %s deleted (deletionPolicy Delete)", correlation_id, kind, resource.label, external
        )

    async def finish_teardown(self, namespace: str) -> None:
        """Delete, by policy, the resources of a namespace kopf does not watch (one that was
        already Terminating when the operator started), and release them."""
        correlation_id, kube = uuid4(), self._container.kube
        for body in await kube.list_namespaced(self.adapter.plural, namespace, correlation_id):
            resource = self.envelope(body)
            self.seen(resource)
            if not resource.deleting:
                continue
            try:
                await self.delete(resource)
            except RuntimeHostError:
                continue  # said in an Event and a log line; the next round tries again
            target = FinalizerTarget(self.adapter.plural, namespace, resource.name)
            await kube.set_finalizer(target, FINALIZER, False, correlation_id)
            self.gone(resource.uid)

    # -- helpers -----------------------------------------------------------------------------

    def _older_claimant(self, resource: ManagedResource[SpecT] | InvalidResource) -> str | None:
        """Another resource naming the same external object on the same connection, created earlier."""
        for other in self.index.group_of(resource):
            if other.uid != resource.uid and other.rank < resource.rank:
                return other.label
        return None

    def _ref(self, resource: ResourceEnvelope) -> ResourceRef:
        return ResourceRef(resource.uid, self.adapter.plural, resource.namespace, resource.name)

    def _context(self, operation: str, target: str, correlation_id: UUID) -> ModelInfraErrorContext:
        return ModelInfraErrorContext(
            transport_type=self.adapter.transport,
            operation=operation,
            target_name=target,
            correlation_id=correlation_id,
        )
