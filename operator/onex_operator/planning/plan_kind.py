"""One resource's plan through its kind's own adapter, in the managed reconciler's order: what the
apiserver refuses -> an older claimant -> connect -> inputs -> observe -> ownership -> the pure
plan -> refusals -> Observe or Manage. The same code for every kind: a kind brings its adapter, a
presentation (planning/kinds/) and how to connect.

Nothing here writes: the adapter is asked only for connect, inputs, observe, ownership and plan,
never claim, apply or delete (and the Kubernetes client underneath refuses writes: kube_access)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, Protocol
from uuid import UUID

from onex_operator.errors import RuntimeHostError
from onex_operator.kube.api import JsonObject
from onex_operator.models.enum_managed_kind import EnumManagedKind
from onex_operator.models.enum_management_policy import EnumManagementPolicy
from onex_operator.planning.claims import Claims
from onex_operator.planning.connectors import Connect
from onex_operator.planning.enum_plan_verdict import EnumPlanVerdict
from onex_operator.planning.manifest_resource import ManifestResource
from onex_operator.planning.model_plan_error import ModelPlanError
from onex_operator.planning.model_resource_plan import ModelResourcePlan, PlannedChange
from onex_operator.planning.planned_envelope import planned_body
from onex_operator.planning.presentation import ProtocolPlanPresentation
from onex_operator.runtime.managed.adapter import (
    EnumOwnership,
    InputsT,
    ObservedT,
    PlanT,
    ProtocolManagedSpec,
    ProtocolResourceAdapter,
    SessionT,
    SpecT,
)
from onex_operator.runtime.managed.envelope import InvalidResource, ManagedResource, envelope_of


class ProtocolPlanKind(Protocol):
    """A kind as the plan's run sees it, whatever its adapter's types."""

    @property
    def kind(self) -> EnumManagedKind: ...

    @property
    def plural(self) -> str: ...

    @property
    def ownership_note(self) -> str: ...

    def parse_spec(self, raw: JsonObject) -> ProtocolManagedSpec: ...

    def claim_key(self, body: JsonObject) -> str: ...

    async def plan(
        self, manifest: ManifestResource, claims: Claims, correlation_id: UUID
    ) -> ModelResourcePlan: ...


@dataclass(frozen=True)
class _Result:
    """The fields every outcome of one resource shares."""

    manifest: ManifestResource
    external: str
    management_policy: EnumManagementPolicy

    def __call__(
        self,
        verdict: EnumPlanVerdict,
        *,
        connection: str | None = None,
        changes: Sequence[PlannedChange] = (),
        refusals: Sequence[str] = (),
        conflict: str | None = None,
        ownership: str | None = None,
        error: RuntimeHostError | None = None,
        creates: bool = False,
    ) -> ModelResourcePlan:
        manifest = self.manifest
        return ModelResourcePlan(
            kind=manifest.kind,
            file=manifest.file,
            document=manifest.document,
            namespace=manifest.namespace,
            name=manifest.name,
            external=self.external,
            management_policy=self.management_policy,
            verdict=verdict,
            creates=creates,
            connection=connection,
            changes=list(changes),
            refusals=list(refusals),
            conflict=conflict,
            ownership=ownership,
            error=ModelPlanError.of(error) if error is not None else None,
        )


class PlanKind(Generic[SpecT, SessionT, InputsT, ObservedT, PlanT]):
    def __init__(
        self,
        adapter: ProtocolResourceAdapter[SpecT, SessionT, InputsT, ObservedT, PlanT],
        presentation: ProtocolPlanPresentation[SpecT, ObservedT, PlanT],
        connect: Connect[SpecT, SessionT],
    ) -> None:
        self._adapter = adapter
        self._presentation = presentation
        self._connect = connect

    @property
    def kind(self) -> EnumManagedKind:
        return self._adapter.kind

    @property
    def plural(self) -> str:
        return self._adapter.plural

    @property
    def ownership_note(self) -> str:
        return self._presentation.ownership_note

    def parse_spec(self, raw: JsonObject) -> SpecT:
        return self._adapter.parse_spec(raw)

    def claim_key(self, body: JsonObject) -> str:
        return self._adapter.claim_key(body)

    async def plan(
        self, manifest: ManifestResource, claims: Claims, correlation_id: UUID
    ) -> ModelResourcePlan:
        adapter = self._adapter
        live = claims.live_of(manifest)
        resource = self._envelope(manifest, live)
        external = adapter.external_name(resource)
        result = _Result(manifest, external, resource.spec.management_policy)
        refusal = self._presentation.refusal(resource, live)
        if refusal is not None:
            return result(EnumPlanVerdict.REFUSED, refusals=[refusal])
        owner = claims.older_claimant(manifest)
        if owner is not None:
            conflict = (
                f"{external} is already claimed by {owner}; "
                f"the oldest resource manages a {self._presentation.noun}"
            )
            return result(EnumPlanVerdict.CONFLICT, conflict=conflict)
        try:
            session = await self._connect(resource, correlation_id)
        except RuntimeHostError as error:
            return result(EnumPlanVerdict.ERROR, error=error)
        connection = adapter.connection_label(session)
        try:
            inputs = await adapter.inputs(session, resource, correlation_id)
            observed = await adapter.observe(session, resource, correlation_id)
        except RuntimeHostError as error:
            return result(EnumPlanVerdict.ERROR, connection=connection, error=error)
        return self._against_service(
            resource, result, connection, inputs=inputs, observed=observed, unseen=claims.unseen(manifest)
        )

    def _against_service(
        self,
        resource: ManagedResource[SpecT],
        result: _Result,
        connection: str,
        *,
        inputs: InputsT,
        observed: ObservedT,
        unseen: str | None,
    ) -> ModelResourcePlan:
        adapter, spec, status = self._adapter, resource.spec, resource.raw_status
        ownership = adapter.ownership(resource, observed, status)
        explanation = self._presentation.explain(resource, observed, ownership, unseen)
        if ownership.state is EnumOwnership.FOREIGN and not (spec.adopt and ownership.adoptable):
            # the reconciler's own words for the condition it would set
            conflict = ownership.detail or (
                f"{result.external} already exists and was not created by this resource; "
                "set spec.adopt: true to manage it"
            )
            return result(
                EnumPlanVerdict.CONFLICT, connection=connection, conflict=conflict, ownership=explanation
            )
        plan = adapter.plan(resource, inputs, observed, status, ownership)
        changes = self._presentation.changes(plan)
        verdict = EnumPlanVerdict.IN_SYNC
        if plan.refusals:
            verdict = EnumPlanVerdict.REFUSED
        elif changes and spec.management_policy is EnumManagementPolicy.OBSERVE:
            verdict = EnumPlanVerdict.DRIFT
        elif changes:
            verdict = EnumPlanVerdict.CHANGES
        return result(
            verdict,
            connection=connection,
            changes=changes,
            refusals=plan.refusals,
            ownership=explanation,
            creates=verdict is EnumPlanVerdict.CHANGES and ownership.state is EnumOwnership.ABSENT,
        )

    def _envelope(self, manifest: ManifestResource, live: JsonObject | None) -> ManagedResource[SpecT]:
        resource = envelope_of(self.kind, planned_body(manifest.body, live), self._adapter.parse_spec)
        if isinstance(resource, InvalidResource):
            # a bug, not the user's: the manifest loader validated this spec with the same parser
            raise TypeError(f"{self.kind.value} {manifest.label}: a spec valid when read no longer parses")
        return resource
