"""The shared reconciler with a fake adapter: policies, ownership, conflicts, Observe, claims,
refusals, deletion by policy and Secret users, with no service and no apiserver."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from uuid import UUID

import pytest
from pydantic import Field

from onex_operator.container import ONEXContainer
from onex_operator.kube.api import JsonObject, KubeApi
from onex_operator.models.enum_deletion_policy import EnumDeletionPolicy
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType
from onex_operator.models.enum_managed_kind import EnumManagedKind
from onex_operator.models.model_managed_resource_spec import ModelManagedResourceSpec
from onex_operator.runtime.managed.adapter import EnumOwnership, Ownership
from onex_operator.runtime.managed.envelope import InvalidResource, ManagedResource
from onex_operator.runtime.managed.events import EventPoster
from onex_operator.runtime.managed.reconciler import ManagedReconciler
from onex_operator.runtime.settings import ModelOperatorSettings

pytestmark = pytest.mark.unit


class SpecForTest(ModelManagedResourceSpec):
    deletion_policy: EnumDeletionPolicy = Field(default=EnumDeletionPolicy.DELETE, alias="deletionPolicy")
    value: str = Field(min_length=1)
    source: str | None = None


@dataclass
class Item:
    value: str
    owner: str


@dataclass(frozen=True)
class Change:
    text: str

    def describe(self) -> str:
        return self.text


@dataclass(frozen=True)
class Plan:
    changes: list[Change]
    refusals: list[str]
    value: str


@dataclass
class FakeService:
    items: dict[str, Item] = field(default_factory=dict)
    applied: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    blocked: asyncio.Event | None = None  # set: observe waits for it


class FakeAdapter:
    kind = EnumManagedKind.VAULT_SECRET
    plural = "vaultsecrets"
    transport = EnumInfraTransportType.VAULT

    def __init__(self, service: FakeService) -> None:
        self.service = service

    def parse_spec(self, raw: JsonObject) -> SpecForTest:
        return SpecForTest.model_validate(raw)

    def claim_key(self, body: JsonObject) -> str:
        metadata = body.get("metadata")
        return str(metadata.get("name")) if isinstance(metadata, dict) else ""

    def external_name(self, resource: ManagedResource[SpecForTest]) -> str:
        return f"item {resource.name}"

    def secret_refs(self, resource: ManagedResource[SpecForTest]) -> set[str]:
        return {resource.spec.source} if resource.spec.source else set()

    async def connect(self, resource: ManagedResource[SpecForTest], correlation_id: UUID) -> FakeService:
        return self.service

    def connection_label(self, session: FakeService) -> str:
        return "ns/default"

    async def inputs(
        self, session: FakeService, resource: ManagedResource[SpecForTest], correlation_id: UUID
    ) -> None:
        return None

    async def observe(
        self, session: FakeService, resource: ManagedResource[SpecForTest], correlation_id: UUID
    ) -> Item | None:
        if session.blocked is not None:
            await session.blocked.wait()
        return session.items.get(resource.name)

    def ownership(
        self, resource: ManagedResource[SpecForTest], observed: Item | None, status: JsonObject
    ) -> Ownership:
        if observed is None:
            return Ownership(EnumOwnership.ABSENT)
        if observed.value == "locked":
            return Ownership(EnumOwnership.FOREIGN, detail="locked by its owner", adoptable=False)
        return Ownership(EnumOwnership.OURS if observed.owner == resource.uid else EnumOwnership.FOREIGN)

    def plan(
        self,
        resource: ManagedResource[SpecForTest],
        inputs: None,
        observed: Item | None,
        status: JsonObject,
        ownership: Ownership,
    ) -> Plan:
        wanted = resource.spec.value
        if wanted == "impossible":
            return Plan(changes=[], refusals=["value impossible cannot be made"], value=wanted)
        if observed is None:
            return Plan(changes=[Change(f"+ {resource.name}")], refusals=[], value=wanted)
        if observed.value != wanted or observed.owner != resource.uid:
            return Plan(changes=[Change(f"~ {resource.name} (value differs)")], refusals=[], value=wanted)
        return Plan(changes=[], refusals=[], value=wanted)

    def claim(self, resource: ManagedResource[SpecForTest], plan: Plan) -> dict[str, str | None]:
        return {"claimed": resource.name}

    async def apply(
        self,
        session: FakeService,
        resource: ManagedResource[SpecForTest],
        plan: Plan,
        observed: Item | None,
        correlation_id: UUID,
    ) -> Item | None:
        session.applied.append(resource.name)
        session.items[resource.name] = Item(plan.value, resource.uid)
        return session.items[resource.name]

    def status_fields(
        self, resource: ManagedResource[SpecForTest], observed: Item | None
    ) -> dict[str, str | None]:
        return {"current": observed.value if observed else None}

    async def delete(
        self,
        session: FakeService,
        resource: ManagedResource[SpecForTest],
        observed: Item | None,
        correlation_id: UUID,
    ) -> None:
        session.deleted.append(resource.name)
        session.items.pop(resource.name, None)


class FakeKube(KubeApi):
    def __init__(self) -> None:  # no apiserver: records what the reconciler writes
        self.status_patches: list[JsonObject] = []
        self.events: list[JsonObject] = []

    async def get_namespaced(
        self, plural: str, namespace: str, name: str, correlation_id: UUID
    ) -> JsonObject | None:
        return None

    async def patch_status(
        self, plural: str, namespace: str, name: str, status: JsonObject, correlation_id: UUID
    ) -> None:
        self.status_patches.append(status)

    async def post_event(self, namespace: str, event: JsonObject, correlation_id: UUID) -> None:
        self.events.append(event)


@dataclass
class Harness:
    kube: FakeKube
    service: FakeService
    reconciler: ManagedReconciler[SpecForTest, FakeService, None, Item | None, Plan]

    def resource(
        self, name: str, uid: str | None = None, created: str = "2026-01-01T00:00:00Z", **spec: object
    ) -> ManagedResource[SpecForTest] | InvalidResource:
        body = {
            "apiVersion": "infra.onex.dev/v1alpha1",
            "kind": "VaultSecret",
            "metadata": {
                "name": name,
                "namespace": "ns",
                "uid": uid or f"uid-{name}",
                "generation": 1,
                "creationTimestamp": created,
            },
            "spec": {"value": "v1", **spec},
        }
        resource = self.reconciler.envelope(body)
        self.reconciler.seen(resource)
        return resource

    def last_status(self) -> JsonObject:
        return self.kube.status_patches[-1]


@pytest.fixture
def harness() -> Harness:
    kube = FakeKube()
    container = ONEXContainer(ModelOperatorSettings(), kube=kube)
    service = FakeService()
    return Harness(kube, service, ManagedReconciler(container, FakeAdapter(service), EventPoster(kube)))


def _condition(status: JsonObject, kind: str) -> dict[str, object]:
    conditions = status["conditions"]
    assert isinstance(conditions, list)
    return next(c for c in conditions if c["type"] == kind)


async def test_create_writes_the_claim_before_applying_then_ready(harness: Harness) -> None:
    report = await harness.reconciler.reconcile(harness.resource("a"), trigger="create")
    assert report.ready
    early, final = harness.kube.status_patches
    assert early["claimed"] == "a" and _condition(early, "Reconciling")["status"] == "True"
    assert _condition(final, "Ready")["status"] == "True" and final["current"] == "v1"
    assert harness.service.applied == ["a"]


async def test_a_reconcile_with_nothing_to_do_writes_nothing(harness: Harness) -> None:
    await harness.reconciler.reconcile(harness.resource("a"), trigger="create")
    writes = len(harness.kube.status_patches)
    await harness.reconciler.reconcile(harness.resource("a"), trigger="drift")
    assert len(harness.kube.status_patches) == writes
    assert harness.service.applied == ["a"]


async def test_drift_is_corrected_and_announced(harness: Harness) -> None:
    await harness.reconciler.reconcile(harness.resource("a"), trigger="create")
    harness.service.items["a"].value = "changed out of band"
    await harness.reconciler.reconcile(harness.resource("a"), trigger="drift")
    await _settle()
    assert harness.service.items["a"].value == "v1"
    assert [e["reason"] for e in harness.kube.events][-1] == "DriftCorrected"


async def test_foreign_object_is_a_conflict_unless_adopted(harness: Harness) -> None:
    harness.service.items["a"] = Item("theirs", owner="someone-else")
    report = await harness.reconciler.reconcile(harness.resource("a"), trigger="create")
    assert not report.ready and report.retry_policy is None
    assert _condition(harness.last_status(), "Stalled")["reason"] == "ResourceConflict"
    assert harness.service.items["a"].value == "theirs"

    report = await harness.reconciler.reconcile(harness.resource("a", adopt=True), trigger="update")
    assert report.ready and harness.service.items["a"] == Item("v1", "uid-a")


async def test_adopt_never_takes_what_is_not_adoptable(harness: Harness) -> None:
    harness.service.items["a"] = Item("locked", owner="someone-else")
    await harness.reconciler.reconcile(harness.resource("a", adopt=True), trigger="create")
    ready = _condition(harness.last_status(), "Ready")
    assert ready["reason"] == "ResourceConflict" and ready["message"] == "locked by its owner"
    assert harness.service.applied == []


async def test_observe_reports_drift_and_writes_nothing(harness: Harness) -> None:
    harness.service.items["a"] = Item("other", owner="uid-a")
    await harness.reconciler.reconcile(harness.resource("a", managementPolicy="Observe"), trigger="create")
    ready = _condition(harness.last_status(), "Ready")
    assert ready["status"] == "False" and ready["reason"] == "DriftDetected"
    assert "~ a (value differs)" in str(ready["message"])
    assert harness.service.applied == []


async def test_the_older_of_two_claimants_keeps_the_object(harness: Harness) -> None:
    harness.resource("a", uid="old", created="2026-01-01T00:00:00Z")
    newer = harness.resource("a", uid="new", created="2026-02-01T00:00:00Z")
    await harness.reconciler.reconcile(newer, trigger="create")
    ready = _condition(harness.last_status(), "Ready")
    assert ready["reason"] == "ResourceConflict" and "ns/a" in str(ready["message"])
    assert harness.service.applied == []


async def test_a_refusal_stalls_with_a_configuration_error(harness: Harness) -> None:
    report = await harness.reconciler.reconcile(harness.resource("a", value="impossible"), trigger="create")
    assert report.retry_policy is None
    stalled = _condition(harness.last_status(), "Stalled")
    assert stalled["status"] == "True" and stalled["reason"] == "ProtocolConfigurationError"
    assert harness.service.applied == []


async def test_an_invalid_spec_is_a_condition_not_a_crash(harness: Harness) -> None:
    resource = harness.resource("a", value="")
    assert isinstance(resource, InvalidResource)
    await harness.reconciler.reconcile(resource, trigger="create")
    assert _condition(harness.last_status(), "Ready")["reason"] == "ProtocolConfigurationError"


async def test_deletion_follows_policy_and_ownership(harness: Harness) -> None:
    await harness.reconciler.reconcile(harness.resource("mine"), trigger="create")
    await harness.reconciler.delete(harness.resource("mine"))
    assert harness.service.deleted == ["mine"]

    await harness.reconciler.reconcile(harness.resource("kept", deletionPolicy="Retain"), trigger="create")
    await harness.reconciler.delete(harness.resource("kept", deletionPolicy="Retain"))
    harness.service.items["theirs"] = Item("x", owner="someone-else")
    await harness.reconciler.delete(harness.resource("theirs"))
    assert harness.service.deleted == ["mine"]
    assert set(harness.service.items) == {"kept", "theirs"}


async def test_a_changed_secret_requeues_its_users(harness: Harness) -> None:
    harness.resource("a", source="db-password")
    harness.resource("b")
    assert harness.reconciler.secret_changed("ns", "db-password") == 1
    assert harness.reconciler.secret_changed("other", "db-password") == 0
    harness.reconciler.gone("uid-a")
    assert harness.reconciler.secret_changed("ns", "db-password") == 0


async def _settle() -> None:
    """Events are posted by tasks of their own."""
    for _ in range(3):
        await asyncio.sleep(0)


async def test_the_sweep_leaves_a_generation_to_kopf_until_it_was_reconciled_once(harness: Harness) -> None:
    resource = harness.resource("a")
    harness.reconciler.index.schedule(resource.uid, 0)
    assert harness.reconciler.due_checks() == []

    body = {**resource.body, "status": {"observedGeneration": 1}}
    harness.reconciler.seen(harness.reconciler.envelope(body))
    harness.reconciler.index.schedule(resource.uid, 0)
    checks = harness.reconciler.due_checks()
    assert len(checks) == 1
    for check in checks:
        check.close()


async def test_a_cancelled_drift_check_does_not_park_its_resource(harness: Harness) -> None:
    body = {**harness.resource("a").body, "status": {"observedGeneration": 1}}
    resource = harness.reconciler.envelope(body)
    harness.reconciler.seen(resource)
    harness.reconciler.index.schedule(resource.uid, 0)
    harness.service.blocked = asyncio.Event()
    [check] = harness.reconciler.due_checks()
    task = asyncio.ensure_future(check)
    await asyncio.sleep(0.05)  # the check waits in the service when it is cancelled
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    due_in = harness.reconciler.index.seconds_until_check(resource.uid)
    # the retry interval (rounded up to the sweep's grid), not the hour a running check is parked for
    assert due_in is not None and due_in <= ModelOperatorSettings().retry_interval_seconds + 5


async def test_a_source_secret_change_is_announced_as_an_update_not_drift(harness: Harness) -> None:
    await harness.reconciler.reconcile(harness.resource("a", source="db-password"), trigger="create")
    body = {
        **harness.resource("a", source="db-password", value="v2").body,
        "status": {"observedGeneration": 1},
    }
    harness.reconciler.seen(harness.reconciler.envelope(body))
    assert harness.reconciler.secret_changed("ns", "db-password") == 1
    [check] = harness.reconciler.due_checks()
    await check
    await _settle()
    assert [e["reason"] for e in harness.kube.events][-1] == "Updated"
