"""The kind-agnostic plan of one resource with a fake adapter: the reconciler's order of checks, the
live resource's uid and status reaching the adapter, Observe, refusals, conflicts, classified
errors, and that nothing but connect, inputs, observe, ownership and plan is ever asked."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID, uuid4

import pytest
from pydantic import Field

from onex_operator.errors import (
    InfraConnectionError,
    ModelInfraErrorContext,
    RuntimeHostError,
    SecretResolutionError,
)
from onex_operator.kube.api import JsonObject
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType
from onex_operator.models.enum_managed_kind import EnumManagedKind
from onex_operator.models.model_managed_resource_spec import ModelManagedResourceSpec
from onex_operator.planning.claims import Claims
from onex_operator.planning.connectors import connector
from onex_operator.planning.enum_plan_verdict import EnumPlanVerdict
from onex_operator.planning.manifest_resource import ManifestResource
from onex_operator.planning.model_plan_step import ModelPlanStep
from onex_operator.planning.model_resource_plan import ModelResourcePlan, PlannedChange
from onex_operator.planning.plan_kind import PlanKind
from onex_operator.runtime.managed.adapter import EnumOwnership, Ownership
from onex_operator.runtime.managed.envelope import ManagedResource

pytestmark = pytest.mark.unit

KIND = EnumManagedKind.VAULT_SECRET
_CONTEXT = ModelInfraErrorContext(transport_type=EnumInfraTransportType.VAULT, operation="read")


class SpecForTest(ModelManagedResourceSpec):
    value: str = Field(min_length=1)
    item: str | None = None


@dataclass(frozen=True)
class Item:
    value: str
    owner: str  # the uid of the resource that made it


@dataclass(frozen=True)
class Change:
    text: str

    def describe(self) -> str:
        return self.text


@dataclass(frozen=True)
class Plan:
    changes: list[Change]
    refusals: list[str]


@dataclass
class FakeService:
    items: dict[str, Item] = field(default_factory=dict)
    observe_error: RuntimeHostError | None = None
    inputs_error: RuntimeHostError | None = None
    # what the plan asked of the adapter, in order
    calls: list[str] = field(default_factory=list)
    # the status and uid the adapter saw
    seen_status: list[JsonObject] = field(default_factory=list)
    seen_uids: list[str] = field(default_factory=list)
    # "namespace: kind/name" of each connect
    connected_as: list[str] = field(default_factory=list)


class FakeAdapter:
    kind = KIND
    plural = "vaultsecrets"
    transport = EnumInfraTransportType.VAULT

    def __init__(self, service: FakeService) -> None:
        self.service = service

    def parse_spec(self, raw: JsonObject) -> SpecForTest:
        return SpecForTest.model_validate(raw)

    def claim_key(self, body: JsonObject) -> str:
        spec, metadata = body.get("spec"), body.get("metadata")
        item = spec.get("item") if isinstance(spec, dict) else None
        return str(item or (metadata.get("name") if isinstance(metadata, dict) else ""))

    def external_name(self, resource: ManagedResource[SpecForTest]) -> str:
        return f"item {resource.spec.item or resource.name}"

    def secret_refs(self, resource: ManagedResource[SpecForTest]) -> set[str]:
        return set()

    async def connect(self, resource: ManagedResource[SpecForTest], correlation_id: UUID) -> FakeService:
        self.service.calls.append("connect")
        ref = resource.spec.connection_ref
        self.service.connected_as.append(f"{resource.namespace}: {ref.kind.value}/{ref.name}")
        return self.service

    def connection_label(self, session: FakeService) -> str:
        return "ns/default"

    async def inputs(
        self, session: FakeService, resource: ManagedResource[SpecForTest], correlation_id: UUID
    ) -> None:
        session.calls.append("inputs")
        if session.inputs_error is not None:
            raise session.inputs_error

    async def observe(
        self, session: FakeService, resource: ManagedResource[SpecForTest], correlation_id: UUID
    ) -> Item | None:
        session.calls.append("observe")
        if session.observe_error is not None:
            raise session.observe_error
        return session.items.get(resource.spec.item or resource.name)

    def ownership(
        self, resource: ManagedResource[SpecForTest], observed: Item | None, status: JsonObject
    ) -> Ownership:
        self.service.calls.append("ownership")
        self.service.seen_status.append(status)
        self.service.seen_uids.append(resource.uid)
        if observed is None:
            return Ownership(EnumOwnership.ABSENT)
        if observed.value == "locked":
            return Ownership(EnumOwnership.FOREIGN, detail="locked by its owner", adoptable=False)
        mine = observed.owner == resource.uid or status.get("claimed") == resource.name
        return Ownership(EnumOwnership.OURS if mine else EnumOwnership.FOREIGN)

    def plan(
        self,
        resource: ManagedResource[SpecForTest],
        inputs: None,
        observed: Item | None,
        status: JsonObject,
        ownership: Ownership,
    ) -> Plan:
        self.service.calls.append("plan")
        wanted = resource.spec.value
        if wanted == "impossible":
            return Plan(changes=[], refusals=["value impossible cannot be made"])
        if observed is None:
            return Plan(changes=[Change(f"+ {resource.name}")], refusals=[])
        if observed.value != wanted:
            return Plan(changes=[Change(f"~ {resource.name} (value differs)")], refusals=[])
        return Plan(changes=[], refusals=[])

    # a plan never gets this far: each records the call, which the tests then forbid
    def claim(self, resource: ManagedResource[SpecForTest], plan: Plan) -> dict[str, str | None]:
        self.service.calls.append("claim")
        return {}

    async def apply(
        self,
        session: FakeService,
        resource: ManagedResource[SpecForTest],
        plan: Plan,
        observed: Item | None,
        correlation_id: UUID,
    ) -> Item | None:
        session.calls.append("apply")
        return observed

    def status_fields(
        self, resource: ManagedResource[SpecForTest], observed: Item | None
    ) -> dict[str, str | None]:
        self.service.calls.append("status_fields")
        return {}

    async def delete(
        self,
        session: FakeService,
        resource: ManagedResource[SpecForTest],
        observed: Item | None,
        correlation_id: UUID,
    ) -> None:
        session.calls.append("delete")


class FakePresentation:
    noun = "item"
    ownership_note = "items are owned by uid"

    def refusal(self, resource: ManagedResource[SpecForTest], live: JsonObject | None) -> str | None:
        live_spec = live.get("spec") if live is not None else None
        if isinstance(live_spec, dict) and live_spec.get("item") not in {None, resource.spec.item}:
            return "item is immutable"
        return None

    def explain(
        self,
        resource: ManagedResource[SpecForTest],
        observed: Item | None,
        ownership: Ownership,
        unseen: str | None,
    ) -> str | None:
        if observed is None:
            return None
        return unseen or f"made by {observed.owner}"

    def changes(self, plan: Plan) -> list[PlannedChange]:
        return [ModelPlanStep(text=change.describe()) for change in plan.changes]


def _manifest(name: str, position: int = 0, **spec: object) -> ManifestResource:
    raw = {"value": "v1", **spec}
    return ManifestResource(
        file="items.yaml",
        document=position,
        kind=KIND,
        namespace="ns",
        name=name,
        spec=SpecForTest.model_validate(raw),
        body={
            "apiVersion": "infra.onex.dev/v1alpha1",
            "kind": KIND.value,
            "metadata": {"name": name, "namespace": "ns", "annotations": {"infra.onex.dev/rotate": "r2"}},
            "spec": raw,
            "status": {"claimed": "a file has no status"},
        },
    )


def _live(name: str, uid: str, created: str = "2026-01-01T00:00:00Z", **status: object) -> JsonObject:
    return {
        "metadata": {"name": name, "namespace": "ns", "uid": uid, "creationTimestamp": created},
        "spec": {"value": "live"},
        "status": status,
    }


async def _plan(
    service: FakeService,
    *manifests: ManifestResource,
    live: list[JsonObject] | None = None,
    unknown: str | None = None,
) -> list[ModelResourcePlan]:
    adapter = FakeAdapter(service)
    kind = PlanKind(adapter, FakePresentation(), adapter.connect)
    claims = Claims(KIND, adapter.claim_key, manifests, live or [], unknown)
    plans = [await kind.plan(manifest, claims, uuid4()) for manifest in manifests]
    assert not {"claim", "apply", "status_fields", "delete"} & set(service.calls)
    return plans


async def test_a_new_object_is_created_with_the_adapters_words() -> None:
    service = FakeService()
    (plan,) = await _plan(service, _manifest("a"))
    assert (plan.verdict, plan.creates, plan.connection) == (EnumPlanVerdict.CHANGES, True, "ns/default")
    assert (plan.kind, plan.external, plan.descriptions) == (KIND, "item a", ["+ a"])
    assert service.calls == ["connect", "inputs", "observe", "ownership", "plan"]


async def test_the_file_has_no_status_and_no_uid_unless_the_cluster_has_the_resource() -> None:
    service = FakeService(items={"a": Item("v0", owner="uid-a")})
    (plan,) = await _plan(service, _manifest("a"))
    assert plan.verdict is EnumPlanVerdict.CONFLICT
    assert plan.conflict == (
        "item a already exists and was not created by this resource; set spec.adopt: true to manage it"
    )
    assert plan.ownership == "VaultSecret ns/a is not in the cluster"
    assert (service.seen_status, service.seen_uids) == ([{}], [""])

    service = FakeService(items={"a": Item("v0", owner="uid-a")})
    (plan,) = await _plan(service, _manifest("a"), live=[_live("a", "uid-a", claimed="a")])
    assert (plan.verdict, plan.creates, plan.descriptions) == (
        EnumPlanVerdict.CHANGES,
        False,
        ["~ a (value differs)"],
    )
    assert plan.ownership == "made by uid-a"
    assert (service.seen_status, service.seen_uids) == ([{"claimed": "a"}], ["uid-a"])


async def test_adopt_takes_a_foreign_object_but_never_one_that_is_not_adoptable() -> None:
    service = FakeService(items={"a": Item("v0", owner="x"), "b": Item("locked", owner="x")})
    adopted, locked = await _plan(service, _manifest("a", adopt=True), _manifest("b", 1, adopt=True))
    assert (adopted.verdict, adopted.creates) == (EnumPlanVerdict.CHANGES, False)
    assert (locked.verdict, locked.conflict) == (EnumPlanVerdict.CONFLICT, "locked by its owner")


async def test_an_apiserver_refusal_comes_first_and_nothing_is_asked() -> None:
    service = FakeService()
    live = [_live("a", "uid-a")]
    live[0]["spec"] = {"value": "v1", "item": "old"}
    (plan,) = await _plan(service, _manifest("a", item="new"), live=live)
    assert (plan.verdict, plan.refusals) == (EnumPlanVerdict.REFUSED, ["item is immutable"])
    assert service.calls == []


async def test_the_older_claimant_keeps_the_object_and_the_service_is_not_asked() -> None:
    service = FakeService()
    older = _live("first", "uid-1", item="shared")
    older["spec"] = {"value": "v1", "item": "shared"}
    (plan,) = await _plan(service, _manifest("second", item="shared"), live=[older])
    assert plan.verdict is EnumPlanVerdict.CONFLICT
    assert plan.conflict == (
        "item shared is already claimed by VaultSecret ns/first; the oldest resource manages a item"
    )
    assert service.calls == []


async def test_refusals_observe_and_in_sync() -> None:
    service = FakeService(items={"b": Item("v0", owner="uid-b"), "c": Item("v1", owner="uid-c")})
    live = [_live("b", "uid-b"), _live("c", "uid-c")]
    refused, drift, same = await _plan(
        service,
        _manifest("a", value="impossible"),
        _manifest("b", 1, managementPolicy="Observe"),
        _manifest("c", 2),
        live=live,
    )
    assert (refused.verdict, refused.refusals) == (
        EnumPlanVerdict.REFUSED,
        ["value impossible cannot be made"],
    )
    assert (drift.verdict, drift.descriptions) == (EnumPlanVerdict.DRIFT, ["~ b (value differs)"])
    assert (same.verdict, same.changes) == (EnumPlanVerdict.IN_SYNC, [])


@pytest.mark.parametrize("failing", ["connect", "inputs", "observe"])
async def test_errors_are_classified_and_stop_the_plan_of_that_resource(failing: str) -> None:
    error = SecretResolutionError("Secret src has no key k", context=_CONTEXT)
    service = FakeService(
        inputs_error=error if failing == "inputs" else None,
        observe_error=InfraConnectionError("refused", context=_CONTEXT) if failing == "observe" else None,
    )
    adapter = FakeAdapter(service)

    async def refuse(resource: ManagedResource[SpecForTest], correlation_id: UUID) -> FakeService:
        raise error

    kind = PlanKind(adapter, FakePresentation(), refuse if failing == "connect" else adapter.connect)
    manifest = _manifest("a")
    plan = await kind.plan(manifest, Claims(KIND, adapter.claim_key, [manifest], [], None), uuid4())
    assert plan.verdict is EnumPlanVerdict.ERROR
    assert plan.error is not None
    expected = "InfraConnectionError" if failing == "observe" else "SecretResolutionError"
    assert plan.error.error_class.value == expected
    assert plan.connection == (None if failing == "connect" else "ns/default")
    assert "plan" not in service.calls


async def test_one_named_connection_serves_every_resource_with_the_adapters_own_connect() -> None:
    service = FakeService()
    adapter = FakeAdapter(service)
    manifest = _manifest("a", connectionRef={"kind": "ClusterInfraConnection", "name": "shared"})
    claims = Claims(KIND, adapter.claim_key, [manifest], [], None)
    for named, expected in [
        (None, "ns: ClusterInfraConnection/shared"),
        (("ops", "vault"), "ops: InfraConnection/vault"),
    ]:
        kind = PlanKind(adapter, FakePresentation(), connector(adapter, named))
        plan = await kind.plan(manifest, claims, uuid4())
        assert (plan.namespace, service.connected_as[-1]) == ("ns", expected)
