"""Drift of a ConsulService's registration: out-of-band deregistration and change reverted with a
DriftCorrected Event; Observe reports DriftDetected and writes nothing."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Cluster, wait_until
from tests.e2e.consul_helpers import (
    KIND,
    PLURAL,
    Consul,
    ConsulScope,
    consul_cluster_fixture,  # noqa: F401 - fixture
    consul_fixture,  # noqa: F401 - fixture
    consul_scope_fixture,  # noqa: F401 - fixture
    events,
    meta_of,
    service_spec,
    status_of,
    wait_event,
    wait_ready,
    wait_ready_reason,
    wait_registered,
)

pytestmark = pytest.mark.e2e

CHECKS = [
    {"name": "port", "tcp": "127.0.0.1:9", "interval": "30s", "timeout": "1s"},
    {"name": "heartbeat", "ttl": "1m"},
]


def test_out_of_band_deregistration_is_registered_again(
    consul_scope: ConsulScope, consul_cluster: Cluster, consul: Consul
) -> None:
    cluster, service = consul_cluster, consul_scope.name("dereg")
    cluster.apply(PLURAL, KIND, "dereg", service_spec(service, checks=CHECKS))
    wait_ready(cluster, "dereg")
    service_id = f"{cluster.namespace}-dereg"
    wait_registered(consul, service_id)

    consul.deregister(service_id)
    registration = wait_registered(consul, service_id)
    assert registration["Service"] == service
    assert sorted(consul.checks(service_id)) == ["heartbeat", "port"]
    corrected = wait_event(cluster, "dereg", "DriftCorrected")
    assert f"+ service {service_id}" in corrected[0][1]
    wait_until(
        lambda: status_of(cluster, "dereg").get("registered") is True,
        30,
        lambda: f"status never registered again: {status_of(cluster, 'dereg')}",
    )


def test_out_of_band_change_is_reverted(
    consul_scope: ConsulScope, consul_cluster: Cluster, consul: Consul
) -> None:
    cluster, service = consul_cluster, consul_scope.name("changed")
    cluster.apply(
        PLURAL,
        KIND,
        "changed",
        service_spec(service, port=8080, tags=["v1"], meta={"team": "a"}, checks=CHECKS),
    )
    wait_ready(cluster, "changed")
    service_id = f"{cluster.namespace}-changed"
    ours = wait_registered(consul, service_id)

    # someone re-registers it by hand: our ownership meta kept, everything else different
    consul.register(
        {
            "ID": service_id,
            "Name": service,
            "Address": "127.0.0.2",
            "Port": 9999,
            "Tags": ["v1", "hacked"],
            "Meta": {**meta_of(ours), "team": "b", "extra": "x"},
            "Checks": [{"CheckID": "manual", "Name": "manual", "TTL": "10m"}],
        }
    )
    wait_until(
        lambda: (consul.service(service_id) or {}).get("Port") == 8080,
        30,
        lambda: f"the change was never reverted: {consul.service(service_id)}",
    )
    registration = consul.service(service_id) or {}
    assert registration["Address"] == "127.0.0.1"
    assert registration["Tags"] == ["v1"]
    assert meta_of(registration) == meta_of(ours)
    assert sorted(consul.checks(service_id)) == ["heartbeat", "port"]
    message = wait_event(cluster, "changed", "DriftCorrected")[0][1]
    for expected in ("~ port 9999 -> 8080", "~ meta team (value differs)", "- check manual", "+ check port"):
        assert expected in message, message
    assert "hacked" not in str(events(cluster, "changed", "Created"))


def test_observe_reports_drift_and_never_registers(
    consul_scope: ConsulScope, consul_cluster: Cluster, consul: Consul
) -> None:
    cluster, service = consul_cluster, consul_scope.name("watched")
    cluster.apply(PLURAL, KIND, "watched", service_spec(service, managementPolicy="Observe"))
    status = wait_ready_reason(cluster, "watched", "DriftDetected")
    assert status["registered"] is False
    service_id = f"{cluster.namespace}-watched"
    assert consul.service(service_id) is None
    detected = wait_event(cluster, "watched", "DriftDetected")
    assert f"+ service {service_id}" in detected[0][1]
    assert not events(cluster, "watched", "Created")
