"""The agent's JSON (services and checks) -> observations, and check states -> status and metric."""

from __future__ import annotations

import uuid

import pytest

from onex_operator.models.enum_consul_check_status import EnumConsulCheckStatus
from onex_operator.nodes.consul_adapter.client import observations_of
from onex_operator.runtime.metrics import OperatorMetrics

pytestmark = pytest.mark.unit

SERVICES = {
    "shop-orders": {
        "ID": "shop-orders",
        "Service": "orders",
        "Tags": ["v1"],
        "Meta": {"managed-by": "onex-infra-operator", "owner-uid": "u1"},
        "Port": 8080,
        "Address": "",
    },
    "bare": {"ID": "bare", "Service": "bare", "Tags": None, "Meta": None, "Port": 0, "Address": ""},
}
CHECKS = {
    "serfHealth": {
        "CheckID": "serfHealth",
        "Name": "Serf Health Status",
        "Status": "passing",
        "ServiceID": "",
    },
    "shop-orders:ready": {
        "CheckID": "shop-orders:ready",
        "Name": "ready",
        "Status": "passing",
        "ServiceID": "shop-orders",
        "Type": "http",
        "Interval": "10s",
        "Timeout": "1m0s",
        "Notes": "managed by onex-infra-operator; definition abc",
    },
    "shop-orders:beat": {
        "CheckID": "shop-orders:beat",
        "Name": "beat",
        "Status": "something-new",
        "ServiceID": "shop-orders",
        "Type": "ttl",
    },
}


def test_services_with_their_checks_and_node_checks_left_out() -> None:
    observed = observations_of(SERVICES, CHECKS)
    assert sorted(observed) == ["bare", "shop-orders"]
    orders = observed["shop-orders"]
    assert (orders.name, orders.port, orders.tags) == ("orders", 8080, ("v1",))
    assert [check.name for check in orders.checks] == ["beat", "ready"]
    ready = orders.checks[1]
    assert (ready.kind, ready.interval, ready.timeout, ready.status) == (
        "http",
        "10s",
        "1m0s",
        EnumConsulCheckStatus.PASSING,
    )
    # a state this operator does not know is not healthy
    assert orders.checks[0].status is EnumConsulCheckStatus.CRITICAL
    bare = observed["bare"]
    assert (bare.tags, bare.meta, bare.checks) == ((), {}, ())


def test_unexpected_json_is_nothing_observed() -> None:
    assert observations_of(None, ["not", "a", "map"]) == {}


def test_check_state_gauge_sums_agents() -> None:
    metrics = OperatorMetrics()
    first, second = f"http://a-{uuid.uuid4().hex}", f"http://b-{uuid.uuid4().hex}"
    metrics.set_consul_checks(first, {"passing": 2, "critical": 1})
    metrics.set_consul_checks(second, {"passing": 1, "critical": 0})
    metrics.set_consul_checks(first, {"passing": 1, "critical": 1})  # the agent's latest read replaces
    rendered = metrics.render()[0].decode()
    assert 'onex_consul_checks{status="passing"} 2.0' in rendered
    assert 'onex_consul_checks{status="critical"} 1.0' in rendered
    assert first not in rendered and second not in rendered
