"""The Consul agent restarts and loses its state (the test-bed runs it in dev mode): every
ConsulService is registered again by the drift sweep, with no user action.

This is the only test that restarts Consul; other tests and sessions share it, so the restart is
short and the test-bed is brought back up whatever happens.
"""

from __future__ import annotations

import time

import pytest

from onex_operator.testbed.manager import Testbed
from onex_operator.testbed.settings import load_settings
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
    use_consul,
    wait_ready,
    wait_registered,
)

pytestmark = pytest.mark.e2e
NAMES = ("alpha", "beta", "gamma")
DRIFT_SECONDS = 4.0  # the session operator's --drift-interval


def test_agent_restart_is_followed_by_registration_again(
    consul_scope: ConsulScope, consul_cluster: Cluster, consul: Consul
) -> None:
    cluster = consul_cluster
    # the management token comes from the agent's configuration: the only token a restart keeps
    use_consul(cluster, consul, consul.token)
    checks = [{"name": "heartbeat", "ttl": "10m"}]
    for name in NAMES:
        cluster.apply(PLURAL, KIND, name, service_spec(consul_scope.name(name), checks=checks))
    for name in NAMES:
        wait_ready(cluster, name)
    ids = [f"{cluster.namespace}-{name}" for name in NAMES]
    before = {service_id: meta_of(wait_registered(consul, service_id)) for service_id in ids}

    testbed = Testbed(load_settings())
    try:
        assert testbed.stop_component("consul")
    finally:
        testbed.up()
    restarted = time.monotonic()
    # the agent is back with nothing registered; nobody touches the resources
    wait_until(
        lambda: all(consul.service(service_id) is not None for service_id in ids),
        DRIFT_SECONDS * 3 + 30,
        lambda: f"not registered again: {[i for i in ids if consul.service(i) is None]}",
    )
    print(f"all {len(ids)} registered again {time.monotonic() - restarted:.1f} s after the agent was up")
    for service_id in ids:
        registration = consul.service(service_id) or {}
        assert meta_of(registration) == before[service_id]
        assert sorted(consul.checks(service_id)) == ["heartbeat"]
    for name in NAMES:
        wait_until(
            lambda name=name: bool(events(cluster, name, "DriftCorrected")),
            30,
            lambda name=name: f"no DriftCorrected Event for {name}: {events(cluster, name)}",
        )
        wait_ready(cluster, name)
        assert status_of(cluster, name)["registered"] is True
