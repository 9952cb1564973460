"""ConsulService in a plan, through the operator's own ConsulServiceAdapter (its connect, observe,
ownership and plan) over a fake apiserver and a fake Consul agent: a registration, changes by field
and check name, ownership from the service meta and the live resource's uid, the immutable
serviceId, conflicts, errors, and no token or meta value in any output."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from uuid import UUID, uuid4

import pytest

from onex_operator.errors import InfraConnectionError, ModelInfraErrorContext
from onex_operator.kube.api import JsonObject, KubeApi
from onex_operator.kube.model_secret_state import ModelSecretState
from onex_operator.models.enum_consul_check_status import EnumConsulCheckStatus
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType
from onex_operator.models.enum_managed_kind import EnumManagedKind
from onex_operator.models.model_consul_service_spec import ModelConsulServiceSpec
from onex_operator.nodes.consul_adapter.adapter import ConsulServiceAdapter
from onex_operator.nodes.consul_adapter.model_consul_client_config import ModelConsulClientConfig
from onex_operator.nodes.consul_adapter.model_consul_observation import (
    ModelConsulCheckObservation,
    ModelConsulServiceObservation,
)
from onex_operator.nodes.consul_adapter.ownership import ownership_meta
from onex_operator.nodes.consul_adapter.registration import desired_registration
from onex_operator.planning.claims import Claims
from onex_operator.planning.enum_plan_verdict import EnumPlanVerdict
from onex_operator.planning.kinds import plan_kinds
from onex_operator.planning.kinds.consul_service import ConsulServicePresentation
from onex_operator.planning.manifest_resource import ManifestResource
from onex_operator.planning.model_plan_report import ModelPlanReport
from onex_operator.planning.model_resource_plan import ModelResourcePlan
from onex_operator.planning.plan_container import PlanContainer
from onex_operator.planning.plan_kind import PlanKind
from onex_operator.planning.render import render_json, render_text

pytestmark = pytest.mark.unit

KIND = EnumManagedKind.CONSUL_SERVICE
NS = "shop"
TOKEN = "consul-token-canary-5c2e"
ADDRESS = "http://consul:8500"


class FakeKube(KubeApi):
    """An apiserver with InfraConnection/default (consul, token from a Secret); it records writes."""

    def __init__(self) -> None:
        encoded = {"token": base64.b64encode(TOKEN.encode()).decode()}
        self.secrets = {
            "consul-creds": ModelSecretState(data=encoded, labels={}, owner_uids=[], resource_version="1")
        }
        self.writes: list[str] = []

    async def get_namespaced(
        self, plural: str, namespace: str, name: str, correlation_id: UUID
    ) -> JsonObject | None:
        consul = {"address": ADDRESS, "tokenSecretRef": {"name": "consul-creds", "key": "token"}}
        found = (plural, namespace, name) == ("infraconnections", NS, "default")
        return {"spec": {"consul": consul}} if found else None

    async def read_secret(self, namespace: str, name: str, correlation_id: UUID) -> ModelSecretState | None:
        return self.secrets.get(name) if namespace == NS else None

    async def apply_secret(self, namespace: str, secret: JsonObject, correlation_id: UUID) -> None:
        self.writes.append("apply_secret")


@dataclass
class FakeAgent:
    """The ConsulAgent a session holds: only `read` is there, so a register or deregister fails the
    test. It records the configs it was made with (the token must be the connection's)."""

    services: dict[str, ModelConsulServiceObservation] = field(default_factory=dict)
    read_ids: list[str] = field(default_factory=list)
    configs: list[ModelConsulClientConfig] = field(default_factory=list)
    unreachable: bool = False

    async def read(self, service_id: str, correlation_id: UUID) -> ModelConsulServiceObservation | None:
        self.read_ids.append(service_id)
        if self.unreachable:
            context = ModelInfraErrorContext(
                transport_type=EnumInfraTransportType.CONSUL,
                operation="read_services",
                target_name=f"{ADDRESS}/{service_id}",
                correlation_id=correlation_id,
            )
            raise InfraConnectionError("Consul agent unreachable: connection refused", context=context)
        return self.services.get(service_id)


class FakeContainer(PlanContainer):
    def __init__(self, kube: FakeKube, agent: FakeAgent) -> None:
        super().__init__(kube)
        self._agent = agent

    def consul_client(self, connection: str, config: ModelConsulClientConfig) -> object:  # type: ignore[override]
        self._agent.configs.append(config)
        return self._agent


def _spec(**extra: object) -> JsonObject:
    return {
        "serviceName": "orders",
        "port": 8080,
        "address": "10.0.0.7",
        "tags": ["http", "v1"],
        "meta": {"team": "payments"},
        "checks": [
            {"name": "heartbeat", "ttl": "30s"},
            {"name": "port", "tcp": "10.0.0.7:8080", "interval": "5s"},
        ],
        **extra,
    }


def _resource(name: str = "orders", document: int = 0, **extra: object) -> ManifestResource:
    raw = _spec(**extra)
    return ManifestResource(
        file="services.yaml",
        document=document,
        kind=KIND,
        namespace=NS,
        name=name,
        spec=ModelConsulServiceSpec.model_validate(raw),
        body={
            "apiVersion": "infra.onex.dev/v1alpha1",
            "kind": "ConsulService",
            "metadata": {"name": name, "namespace": NS},
            "spec": raw,
        },
    )


def _live(name: str = "orders", uid: str = "uid-1", **spec: object) -> JsonObject:
    return {
        "metadata": {"name": name, "namespace": NS, "uid": uid, "creationTimestamp": "2026-01-01T00:00:00Z"},
        "spec": _spec(**spec),
        "status": {"serviceId": f"{NS}-{name}", "registered": True},
    }


def _registered(
    uid: str | None, service_id: str = f"{NS}-orders", **changes: object
) -> ModelConsulServiceObservation:
    """What the agent reports for the spec's registration, owned by `uid` (None: no ownership meta)."""
    spec = ModelConsulServiceSpec.model_validate(_spec())
    registration = desired_registration(spec, NS, "orders", uid or "")
    meta = {**(spec.meta or {}), **(ownership_meta(uid) if uid else {})}
    checks = tuple(
        ModelConsulCheckObservation(
            check_id=check.check_id,
            name=check.name,
            kind=check.kind.value,
            status=EnumConsulCheckStatus.PASSING,
            interval=check.interval or "",
            timeout=check.timeout or "",
            notes=check.notes,
        )
        for check in registration.checks
    )
    observed = ModelConsulServiceObservation(
        service_id=service_id,
        name=registration.name,
        address=registration.address,
        port=registration.port,
        tags=registration.tags,
        meta=meta,
        checks=checks,
    )
    return observed.model_copy(update=changes)


async def _plan(
    resource: ManifestResource, agent: FakeAgent | None = None, live: list[JsonObject] | None = None
) -> ModelResourcePlan:
    kube, agent = FakeKube(), agent or FakeAgent()
    adapter = ConsulServiceAdapter(FakeContainer(kube, agent))
    kind = PlanKind(adapter, ConsulServicePresentation(), adapter.connect)
    claims = Claims(KIND, adapter.claim_key, [resource], live or [], None)
    plan = await kind.plan(resource, claims, uuid4())
    assert kube.writes == []
    # the client is the connection's: its address and the token from the connection's Secret
    for config in agent.configs:
        assert config.address == ADDRESS
        assert config.token is not None and config.token.get_secret_value() == TOKEN
    return plan


def _report(*plans: ModelResourcePlan) -> ModelPlanReport:
    return ModelPlanReport(
        correlation_id=uuid4(), connections="each resource's spec.connectionRef", resources=list(plans)
    )


def test_consul_service_is_a_kind_of_the_plan() -> None:
    kinds = {kind.kind: kind for kind in plan_kinds(PlanContainer(FakeKube()), None, None)}
    assert kinds[KIND].plural == "consulservices"
    assert kinds[KIND].ownership_note.startswith("a file has no uid")


async def test_an_absent_service_is_registered_with_its_checks() -> None:
    agent = FakeAgent()
    plan = await _plan(_resource(), agent)
    assert (plan.verdict, plan.creates) == (EnumPlanVerdict.CHANGES, True)
    assert (plan.external, plan.connection) == (f"service id {NS}-orders", f"{NS}/default")
    assert plan.descriptions == [f"+ service {NS}-orders (2 checks)"]
    assert plan.ownership is None
    assert agent.read_ids == [f"{NS}-orders"]
    text = render_text(_report(plan))
    assert (
        f"+ ConsulService {NS}/orders -> service id {NS}-orders on {NS}/default  "
        "[services.yaml, document 0]\n"
        f"    + service {NS}-orders (2 checks)\n"
    ) in text
    assert text.rstrip().endswith("Plan: 1 to create, 0 to change, 0 in sync. Nothing was written.")
    explicit = await _plan(_resource(serviceId="orders-1"))
    assert explicit.descriptions == ["+ service orders-1 (2 checks)"]


async def test_a_foreign_registration_is_a_conflict_unless_adopted() -> None:
    agent = FakeAgent({f"{NS}-orders": _registered(None, port=9090)})
    plan = await _plan(_resource(), agent)
    assert plan.verdict is EnumPlanVerdict.CONFLICT
    assert plan.conflict == (
        f"service id {NS}-orders is already registered in Consul, not by this operator "
        "(no managed-by: onex-infra-operator in its meta); set spec.adopt: true to manage it"
    )
    assert plan.ownership == (
        f"ConsulService {NS}/orders is not in the cluster, so no uid can show that this resource "
        "registered the service"
    )
    assert "note: a file has no uid" not in render_text(_report(plan))  # notes come from the run

    adopted = await _plan(_resource(adopt=True), agent)
    assert (adopted.verdict, adopted.creates) == (EnumPlanVerdict.CHANGES, False)
    assert adopted.ownership == "spec.adopt is true: the existing registration is taken over"
    assert adopted.descriptions == [
        "~ port 9090 -> 8080",
        "~ meta managed-by (missing)",
        "~ meta owner-uid (missing)",
    ]
    text = render_text(_report(adopted))
    assert f"~ ConsulService {NS}/orders -> service id {NS}-orders on {NS}/default" in text


async def test_changes_are_named_by_field_and_check() -> None:
    drifted = _registered(
        "uid-1",
        address="10.0.0.9",
        tags=("http",),
        meta={**ownership_meta("uid-1"), "team": "other-team", "stray": "x"},
        checks=(
            ModelConsulCheckObservation(
                check_id=f"{NS}-orders:port",
                name="port",
                kind="tcp",
                status=EnumConsulCheckStatus.CRITICAL,
                interval="10s",
                notes="someone else's",
            ),
            ModelConsulCheckObservation(
                check_id=f"{NS}-orders:extra", name="extra", kind="ttl", status=EnumConsulCheckStatus.PASSING
            ),
        ),
    )
    plan = await _plan(_resource(), FakeAgent({f"{NS}-orders": drifted}), live=[_live()])
    assert (plan.verdict, plan.creates) == (EnumPlanVerdict.CHANGES, False)
    assert plan.ownership == f"its meta names the live ConsulService {NS}/orders (owner-uid uid-1)"
    assert plan.descriptions == [
        "~ address 10.0.0.9 -> 10.0.0.7",
        "~ tags http -> http,v1",
        "~ meta stray (not in spec)",
        "~ meta team (value differs)",
        "- check extra",
        "+ check heartbeat",
        "~ check port (interval 10s -> 5s)",
    ]
    as_json = json.loads(render_json(_report(plan)))["resources"][0]["changes"]
    assert as_json[3] == {
        "kind": "update",
        "service_id": f"{NS}-orders",
        "field": "meta team",
        "old": "",
        "new": "",
        "detail": "value differs",
    }


async def test_in_sync_and_observe() -> None:
    agent = FakeAgent({f"{NS}-orders": _registered("uid-1")})
    same = await _plan(_resource(), agent, live=[_live()])
    assert (same.verdict, same.changes) == (EnumPlanVerdict.IN_SYNC, [])
    assert "= in sync" in render_text(_report(same))

    agent.services[f"{NS}-orders"] = _registered("uid-1", port=1)
    observed = await _plan(_resource(managementPolicy="Observe"), agent, live=[_live()])
    assert (observed.verdict, observed.descriptions) == (EnumPlanVerdict.DRIFT, ["~ port 1 -> 8080"])


async def test_a_registration_of_another_consul_service_is_its_own() -> None:
    agent = FakeAgent({f"{NS}-orders": _registered("uid-2")})
    plan = await _plan(_resource(), agent, live=[_live(uid="uid-1")])
    assert plan.verdict is EnumPlanVerdict.CONFLICT
    assert plan.conflict is not None
    assert "is registered by another ConsulService (owner uid uid-2)" in plan.conflict
    assert (
        plan.ownership
        == f"its meta names owner-uid uid-2, not the live ConsulService {NS}/orders (uid uid-1)"
    )


async def test_service_id_is_immutable_against_the_live_resource() -> None:
    agent = FakeAgent()
    changed = await _plan(_resource(serviceId="orders-2"), agent, live=[_live(serviceId="orders-1")])
    assert changed.verdict is EnumPlanVerdict.REFUSED
    assert changed.refusals == [
        f"serviceId is immutable: ConsulService {NS}/orders manages service id orders-1, the file has "
        "serviceId orders-2; create a new ConsulService for another service id"
    ]
    # the CEL rule compares the field as written: naming the default explicitly is a change too
    named = await _plan(_resource(serviceId=f"{NS}-orders"), agent, live=[_live()])
    assert named.refusals == [
        f"serviceId is immutable: ConsulService {NS}/orders manages service id {NS}-orders (the default), "
        f"the file has serviceId {NS}-orders; create a new ConsulService for another service id"
    ]
    assert "  nothing is changed for this resource until the spec changes" in render_text(_report(named))
    assert agent.read_ids == []  # refused before Consul is asked
    kept = await _plan(_resource(serviceId="orders-1"), agent, live=[_live(serviceId="orders-1")])
    assert kept.verdict is EnumPlanVerdict.CHANGES


async def test_the_older_claimant_keeps_the_service_id() -> None:
    first, second = _resource("a", serviceId="shared"), _resource("b", document=1, serviceId="shared")
    adapter = ConsulServiceAdapter(FakeContainer(FakeKube(), FakeAgent()))
    kind = PlanKind(adapter, ConsulServicePresentation(), adapter.connect)
    claims = Claims(KIND, adapter.claim_key, [first, second], [], None)
    plan = await kind.plan(second, claims, uuid4())
    assert plan.verdict is EnumPlanVerdict.CONFLICT
    assert plan.conflict == (
        f"service id shared is already claimed by ConsulService {NS}/a (services.yaml, document 0, not yet "
        "applied); the oldest resource manages a registration"
    )


async def test_an_unreachable_agent_is_a_classified_error() -> None:
    plan = await _plan(_resource(), FakeAgent(unreachable=True))
    assert plan.verdict is EnumPlanVerdict.ERROR
    assert plan.error is not None
    assert plan.error.error_class.value == "InfraConnectionError"
    assert plan.connection == f"{NS}/default"


async def test_no_token_or_meta_value_reaches_the_output() -> None:
    """Canaries as meta values (in the spec, in Consul, a stray key's value) and the token are in no
    rendering of the plan, nor hidden in it."""
    wanted, found, stray = (f"{what}-canary-{uuid4().hex[:8]}" for what in ("spec", "consul", "stray"))
    agent = FakeAgent({f"{NS}-orders": _registered(None, meta={"team": found, "stray": stray})})
    plan = await _plan(_resource(adopt=True, meta={"team": wanted}), agent)
    assert plan.descriptions == [
        "~ meta managed-by (missing)",
        "~ meta owner-uid (missing)",
        "~ meta stray (not in spec)",
        "~ meta team (value differs)",
    ]
    report = _report(plan)
    for output in (render_text(report), render_json(report), repr(report)):
        for canary in (wanted, found, stray, TOKEN):
            assert canary not in output
        assert "***" not in output  # nothing had to be hidden: no value was ever in the report
