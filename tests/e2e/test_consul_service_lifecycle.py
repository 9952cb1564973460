"""ConsulService registered with http, tcp and ttl checks that really run, check states in status
(a critical check keeps the resource Ready), spec changes, and deletion by policy."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Cluster, OperatorProcess, wait_until
from tests.e2e.consul_helpers import (
    KIND,
    MANAGED_BY,
    PLURAL,
    Consul,
    ConsulScope,
    consul_cluster_fixture,  # noqa: F401 - fixture
    consul_fixture,  # noqa: F401 - fixture
    consul_scope_fixture,  # noqa: F401 - fixture
    events,
    listening,
    meta_of,
    service_spec,
    status_of,
    uid_of,
    wait_event,
    wait_ready,
    wait_registered,
)

pytestmark = pytest.mark.e2e


def test_checks_run_and_their_states_reach_status(
    consul_scope: ConsulScope, consul_cluster: Cluster, consul: Consul, operator: OperatorProcess
) -> None:
    cluster, service = consul_cluster, consul_scope.name("orders")
    with listening() as listener:
        spec = service_spec(
            service,
            port=listener.port,
            tags=["http", "v1"],
            meta={"team": "payments"},
            checks=[
                {"name": "ready", "http": listener.url, "interval": "1s", "timeout": "1s"},
                {"name": "port", "tcp": f"127.0.0.1:{listener.port}", "interval": "1s", "timeout": "1s"},
                {"name": "heartbeat", "ttl": "5m"},
            ],
        )
        cluster.apply(PLURAL, KIND, "orders", spec)
        status = wait_ready(cluster, "orders")
        service_id = f"{cluster.namespace}-orders"
        assert status["serviceId"] == service_id
        assert status["registered"] is True

        registration = wait_registered(consul, service_id)
        assert registration["Service"] == service
        assert registration["Port"] == listener.port
        assert sorted(registration["Tags"]) == ["http", "v1"]  # type: ignore[arg-type]
        assert meta_of(registration) == {
            "team": "payments",
            "managed-by": MANAGED_BY,
            "owner-uid": uid_of(cluster, "orders"),
        }
        checks = consul.checks(service_id)
        assert {name: check["Type"] for name, check in checks.items()} == {
            "ready": "http",
            "port": "tcp",
            "heartbeat": "ttl",
        }
        assert checks["heartbeat"]["CheckID"] == f"{service_id}:heartbeat"
        assert [reason for reason, _ in events(cluster, "orders", "Created")] == ["Created"]

        # the agent runs the http and tcp checks; the drift check brings their states to status
        wait_until(
            lambda: sorted(status_of(cluster, "orders").get("passingChecks") or []) == ["port", "ready"],
            30,
            lambda: f"http and tcp checks never passing in status: {status_of(cluster, 'orders')}",
        )
        status = status_of(cluster, "orders")
        assert status["criticalChecks"] == ["heartbeat"]  # a TTL check starts critical
        assert status["health"] == "critical"
        assert cluster.condition(PLURAL, "orders", "Ready")["status"] == "True"  # type: ignore[index]

        consul.pass_ttl(f"{service_id}:heartbeat")
        wait_until(
            lambda: status_of(cluster, "orders").get("health") == "passing",
            30,
            lambda: f"never passing after the TTL check passed: {status_of(cluster, 'orders')}",
        )
    # the listener is closed: the agent's tcp and http checks fail, the resource stays Ready
    wait_until(
        lambda: sorted(status_of(cluster, "orders").get("criticalChecks") or []) == ["port", "ready"],
        30,
        lambda: f"checks never critical after the listener closed: {status_of(cluster, 'orders')}",
    )
    assert status_of(cluster, "orders")["health"] == "critical"
    ready = cluster.condition(PLURAL, "orders", "Ready") or {}
    assert ready.get("status") == "True", ready
    assert not events(cluster, "orders", "DriftCorrected")  # check states are not drift
    code, metrics = operator.get("/metrics")
    assert code == 200
    critical = [
        line for line in metrics.splitlines() if line.startswith('onex_consul_checks{status="critical"}')
    ]
    assert critical and float(critical[0].split()[-1]) >= 2, critical


def test_spec_change_is_applied_with_an_updated_event(
    consul_scope: ConsulScope, consul_cluster: Cluster, consul: Consul
) -> None:
    cluster, service = consul_cluster, consul_scope.name("api")
    checks = [
        {"name": "port", "tcp": "127.0.0.1:9", "interval": "30s"},
        {"name": "heartbeat", "ttl": "1m"},
    ]
    cluster.apply(PLURAL, KIND, "api", service_spec(service, port=8080, tags=["a"], checks=checks))
    wait_ready(cluster, "api")
    service_id = f"{cluster.namespace}-api"
    cluster.apply(
        PLURAL,
        KIND,
        "api",
        service_spec(service, port=9090, tags=["a", "b"], meta={"tier": "web"}, checks=checks[1:]),
    )
    wait_until(
        lambda: (consul.service(service_id) or {}).get("Port") == 9090,
        30,
        lambda: f"port never updated: {consul.service(service_id)}",
    )
    wait_ready(cluster, "api")
    registration = consul.service(service_id) or {}
    assert sorted(registration["Tags"]) == ["a", "b"]  # type: ignore[arg-type]
    assert meta_of(registration)["tier"] == "web"
    assert sorted(consul.checks(service_id)) == ["heartbeat"]
    updated = wait_event(cluster, "api", "Updated")
    assert "~ port 8080 -> 9090" in updated[0][1]
    assert "- check port" in updated[0][1]


@pytest.mark.parametrize(("policy", "kept"), [("Delete", False), ("Retain", True)])
def test_deletion_follows_the_policy(
    consul_scope: ConsulScope, consul_cluster: Cluster, consul: Consul, policy: str, kept: bool
) -> None:
    cluster, service = consul_cluster, consul_scope.name("gone")
    cluster.apply(PLURAL, KIND, "gone", service_spec(service, deletionPolicy=policy))
    wait_ready(cluster, "gone")
    service_id = f"{cluster.namespace}-gone"
    wait_registered(consul, service_id)
    cluster.delete(PLURAL, "gone")
    cluster.wait_gone(PLURAL, "gone")
    if kept:
        assert consul.service(service_id) is not None
    else:
        wait_until(lambda: consul.service(service_id) is None, 30, f"{service_id} still registered")
