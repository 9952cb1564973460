"""What a ConsulService reports: service id, registered, health (the worst state of the spec's
checks) and the names of the checks by state; and which service id two resources share."""

from __future__ import annotations

import pytest

from onex_operator.container import ONEXContainer
from onex_operator.kube.api import KubeApi
from onex_operator.models.enum_consul_check_status import EnumConsulCheckStatus
from onex_operator.models.model_consul_service_spec import ModelConsulServiceSpec
from onex_operator.nodes.consul_adapter.adapter import ConsulServiceAdapter
from onex_operator.nodes.consul_adapter.model_consul_observation import (
    ModelConsulCheckObservation,
    ModelConsulServiceObservation,
)
from onex_operator.runtime.managed.envelope import ManagedResource, envelope_of
from onex_operator.runtime.settings import ModelOperatorSettings

pytestmark = pytest.mark.unit

PASSING, WARNING, CRITICAL = (
    EnumConsulCheckStatus.PASSING,
    EnumConsulCheckStatus.WARNING,
    EnumConsulCheckStatus.CRITICAL,
)


class NoKube(KubeApi):
    def __init__(self) -> None:  # status_fields and claim_key never reach the apiserver
        return None


@pytest.fixture
def adapter() -> ConsulServiceAdapter:
    return ConsulServiceAdapter(ONEXContainer(ModelOperatorSettings(), kube=NoKube()))


def body(name: str = "orders", **spec: object) -> dict[str, object]:
    checks = [{"name": "ready", "ttl": "1m"}, {"name": "port", "tcp": "a:1", "interval": "5s"}]
    return {
        "apiVersion": "infra.onex.dev/v1alpha1",
        "kind": "ConsulService",
        "metadata": {"name": name, "namespace": "shop", "uid": f"uid-{name}", "generation": 1},
        "spec": {"serviceName": "orders", "port": 80, "checks": checks, **spec},
    }


def resource(adapter: ConsulServiceAdapter, **spec: object) -> ManagedResource[ModelConsulServiceSpec]:
    parsed = envelope_of(adapter.kind, body(**spec), adapter.parse_spec)
    assert isinstance(parsed, ManagedResource)
    return parsed


def observed(**states: EnumConsulCheckStatus) -> ModelConsulServiceObservation:
    checks = tuple(
        ModelConsulCheckObservation(check_id=f"shop-orders:{name}", name=name, kind="ttl", status=status)
        for name, status in states.items()
    )
    return ModelConsulServiceObservation(
        service_id="shop-orders", name="orders", address="", port=80, tags=(), meta={}, checks=checks
    )


def test_health_is_the_worst_check_and_names_are_listed_by_state(adapter: ConsulServiceAdapter) -> None:
    fields = adapter.status_fields(resource(adapter), observed(ready=PASSING, port=CRITICAL))
    assert fields == {
        "serviceId": "shop-orders",
        "registered": True,
        "health": "critical",
        "passingChecks": ["ready"],
        "warningChecks": [],
        "criticalChecks": ["port"],
    }
    assert (
        adapter.status_fields(resource(adapter), observed(ready=PASSING, port=WARNING))["health"] == "warning"
    )


def test_no_checks_is_passing_and_absent_is_not_registered(adapter: ConsulServiceAdapter) -> None:
    assert adapter.status_fields(resource(adapter, checks=[]), observed())["health"] == "passing"
    fields = adapter.status_fields(resource(adapter), None)
    assert fields["registered"] is False
    assert fields["health"] is None
    assert fields["criticalChecks"] == []


def test_checks_the_spec_does_not_name_stay_out_of_status(adapter: ConsulServiceAdapter) -> None:
    fields = adapter.status_fields(resource(adapter), observed(ready=PASSING, port=PASSING, stray=CRITICAL))
    assert fields["health"] == "passing"
    assert "stray" not in str(fields)


def test_claim_key_is_connection_and_service_id(adapter: ConsulServiceAdapter) -> None:
    default = adapter.claim_key(body())
    assert default == "InfraConnection/shop/default#shop-orders"
    assert adapter.claim_key(body("other", serviceId="shop-orders")) == default
    elsewhere = body(connectionRef={"kind": "ClusterInfraConnection", "name": "consul"})
    assert adapter.claim_key(elsewhere) == "ClusterInfraConnection//consul#shop-orders"
