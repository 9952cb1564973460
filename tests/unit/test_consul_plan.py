"""The pure ConsulService plan: spec -> registration, and registration vs the agent's -> changes."""

from __future__ import annotations

import pytest

from onex_operator.models.enum_consul_check_status import EnumConsulCheckStatus
from onex_operator.models.model_consul_service_spec import ModelConsulServiceSpec
from onex_operator.nodes.consul_adapter.enum_service_change_kind import EnumServiceChangeKind
from onex_operator.nodes.consul_adapter.model_consul_observation import (
    ModelConsulCheckObservation,
    ModelConsulServiceObservation,
)
from onex_operator.nodes.consul_adapter.model_consul_registration import ModelConsulRegistration
from onex_operator.nodes.consul_adapter.plan import deregistration, plan_service
from onex_operator.nodes.consul_adapter.registration import desired_registration

pytestmark = pytest.mark.unit

UID = "0b6f5c1e-uid"


def spec(**extra: object) -> ModelConsulServiceSpec:
    raw: dict[str, object] = {
        "serviceName": "orders",
        "port": 8080,
        "address": "10.0.0.7",
        "tags": ["http", "v1"],
        "meta": {"team": "payments"},
        "checks": [
            {"name": "ready", "http": "http://10.0.0.7:8080/readyz", "interval": "10s", "timeout": "2s"},
            {"name": "port", "tcp": "10.0.0.7:8080", "interval": "5s"},
            {"name": "heartbeat", "ttl": "30s"},
        ],
        **extra,
    }
    return ModelConsulServiceSpec.model_validate(raw)


def desired(**extra: object) -> ModelConsulRegistration:
    return desired_registration(spec(**extra), "shop", "orders", UID)


def as_observed(registration: ModelConsulRegistration, **changes: object) -> ModelConsulServiceObservation:
    """What the agent reports for `registration` (Consul writes 1m0s for 1m, keeps no definition)."""
    checks = tuple(
        ModelConsulCheckObservation(
            check_id=check.check_id,
            name=check.name,
            kind=check.kind.value,
            status=EnumConsulCheckStatus.CRITICAL,
            interval=check.interval or "",
            timeout=check.timeout or "",
            notes=check.notes,
        )
        for check in registration.checks
    )
    observed = ModelConsulServiceObservation(
        service_id=registration.service_id,
        name=registration.name,
        address=registration.address,
        port=registration.port,
        tags=registration.tags,
        meta=dict(registration.meta),
        checks=checks,
    )
    return observed.model_copy(update=changes)


def described(
    registration: ModelConsulRegistration, observed: ModelConsulServiceObservation | None
) -> list[str]:
    return [change.describe() for change in plan_service(registration, observed).changes]


def test_service_id_defaults_to_namespace_and_name_and_meta_carries_ownership() -> None:
    registration = desired()
    assert registration.service_id == "shop-orders"
    assert registration.meta == {"team": "payments", "managed-by": "onex-infra-operator", "owner-uid": UID}
    assert [check.check_id for check in registration.checks] == [
        "shop-orders:ready",
        "shop-orders:port",
        "shop-orders:heartbeat",
    ]
    assert desired(serviceId="orders-1").service_id == "orders-1"


def test_check_payloads_are_consul_definitions_and_ttl_has_no_interval() -> None:
    ready, port, heartbeat = desired().checks
    assert ready.payload() == {
        "CheckID": "shop-orders:ready",
        "Name": "ready",
        "Notes": ready.notes,
        "HTTP": "http://10.0.0.7:8080/readyz",
        "Interval": "10s",
        "Timeout": "2s",
    }
    assert port.payload()["TCP"] == "10.0.0.7:8080"
    assert heartbeat.payload() == {
        "CheckID": "shop-orders:heartbeat",
        "Name": "heartbeat",
        "Notes": heartbeat.notes,
        "TTL": "30s",
    }
    assert ready.notes.startswith("managed by onex-infra-operator; definition ")


def test_absent_service_is_registered_with_its_checks() -> None:
    plan = plan_service(desired(), None)
    assert [change.kind for change in plan.changes] == [EnumServiceChangeKind.REGISTER]
    assert described(desired(), None) == ["+ service shop-orders (3 checks)"]
    assert plan.needs_register and not plan.refusals


def test_registration_as_asked_is_in_sync_whatever_the_check_states() -> None:
    registration = desired()
    assert described(registration, as_observed(registration)) == []


def test_consul_duration_spelling_is_not_drift() -> None:
    registration = desired_registration(
        spec(checks=[{"name": "ready", "http": "http://a:1/", "interval": "1m", "timeout": "90s"}]),
        "shop",
        "orders",
        UID,
    )
    observed = as_observed(registration)
    check = observed.checks[0].model_copy(update={"interval": "1m0s", "timeout": "1m30s"})
    assert described(registration, observed.model_copy(update={"checks": (check,)})) == []


def test_changed_fields_are_named_with_old_and_new() -> None:
    registration = desired()
    observed = as_observed(registration, port=9090, address="10.0.0.8", name="legacy", tags=("http",))
    assert described(registration, observed) == [
        "~ serviceName legacy -> orders",
        "~ address 10.0.0.8 -> 10.0.0.7",
        "~ port 9090 -> 8080",
        "~ tags http -> http,v1",
    ]


def test_tag_order_is_not_drift() -> None:
    registration = desired()
    assert described(registration, as_observed(registration, tags=("v1", "http"))) == []


def test_meta_changes_are_named_never_valued() -> None:
    registration = desired()
    meta = {**registration.meta, "team": "s3cr3t-ish", "extra": "x"}
    del meta["owner-uid"]
    assert described(registration, as_observed(registration, meta=meta)) == [
        "~ meta extra (not in spec)",
        "~ meta owner-uid (missing)",
        "~ meta team (value differs)",
    ]


def test_checks_added_removed_and_changed_by_name() -> None:
    registration = desired()
    observed = as_observed(registration)
    ready, port, _heartbeat = observed.checks
    stray = port.model_copy(update={"name": "stray", "check_id": "stray"})
    slower = port.model_copy(update={"interval": "30s"})
    moved = ready.model_copy(update={"notes": ""})  # re-registered out of band: our fingerprint is gone
    changed = observed.model_copy(update={"checks": (moved, slower, stray)})
    assert described(registration, changed) == [
        "+ check heartbeat",
        "~ check port (interval 30s -> 5s)",
        "~ check ready (definition differs)",
        "- check stray",
    ]


def test_a_new_check_url_changes_the_fingerprint() -> None:
    before = desired()
    after = desired(checks=[{"name": "ready", "http": "http://10.0.0.7:8080/health", "interval": "10s"}])
    assert before.checks[0].notes != after.checks[0].notes
    assert described(
        after, as_observed(before).model_copy(update={"checks": as_observed(before).checks[:1]})
    ) == ["~ check ready (definition differs)"]


def test_unset_timeout_is_consul_default_not_drift() -> None:
    registration = desired()
    observed = as_observed(registration)
    port = observed.checks[1].model_copy(update={"timeout": "10s"})
    checks = (observed.checks[0], port, observed.checks[2])
    assert described(registration, observed.model_copy(update={"checks": checks})) == []


def test_deregistration_change() -> None:
    change = deregistration("shop-orders")
    assert change.kind is EnumServiceChangeKind.DEREGISTER
    assert change.describe() == "- service shop-orders"
