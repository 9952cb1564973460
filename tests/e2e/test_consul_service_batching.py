"""The idle cost of ConsulServices: drift checks of many registrations on one connection meet in one
batched read of the agent (its services and its checks), never one request per service. Counted
with the operator's own request counter, on an operator of this test's own (no other resources)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from kubernetes import client
from kubernetes.client import ApiClient

from tests.conftest import RunningTestbed
from tests.e2e.conftest import (
    GROUP,
    VERSION,
    Cluster,
    OperatorProcess,
    make_cluster,
    release_namespace,
    running_operator,
    wait_until,
)
from tests.e2e.consul_helpers import (
    KIND,
    PLURAL,
    Consul,
    ConsulScope,
    consul_fixture,  # noqa: F401 - fixture
    consul_scope_fixture,  # noqa: F401 - fixture
    service_spec,
    use_consul,
    wait_ready,
)

pytestmark = pytest.mark.e2e
PREFIX = "e2e-cbat-"
COUNT = 20
SWEEPS = 3  # idle drift checks of every resource to count over


@pytest.fixture
def batch_cluster(api: ApiClient, testbed: RunningTestbed, consul_scope: ConsulScope) -> Iterator[Cluster]:
    """A namespace only this test's operator watches (cleaned up without one)."""
    cluster = make_cluster(api, testbed, PREFIX)
    try:
        yield cluster
    finally:
        objects = client.CustomObjectsApi(api)
        for item in objects.list_namespaced_custom_object(GROUP, VERSION, cluster.namespace, PLURAL)["items"]:
            patch = {"metadata": {"finalizers": []}}
            objects.patch_namespaced_custom_object(
                GROUP, VERSION, cluster.namespace, PLURAL, item["metadata"]["name"], patch
            )
        release_namespace(api, cluster.namespace)


def counter(operator: OperatorProcess, name: str, **labels: str) -> float:
    """The sum of a counter's samples whose labels include `labels` (0 when none)."""
    total = 0.0
    for line in operator.get("/metrics")[1].splitlines():
        match = re.fullmatch(rf"{name}\{{(.*)\}} (\S+)", line)
        if match and all(f'{key}="{value}"' in match.group(1) for key, value in labels.items()):
            total += float(match.group(2))
    return total


def test_idle_drift_checks_cost_one_batched_read_per_connection(
    batch_cluster: Cluster, consul_scope: ConsulScope, consul: Consul, testbed: RunningTestbed, tmp_path: Path
) -> None:
    cluster = batch_cluster
    use_consul(cluster, consul, consul_scope.token)
    checks = [{"name": "heartbeat", "ttl": "10m"}]
    with running_operator(testbed, tmp_path, cluster.namespace, "3s", "2s") as operator:
        for index in range(COUNT):
            cluster.apply(
                PLURAL, KIND, f"svc-{index}", service_spec(consul_scope.name(f"s{index}"), checks=checks)
            )
        for index in range(COUNT):
            wait_ready(cluster, f"svc-{index}")

        def reconciles() -> float:
            return counter(operator, "onex_reconciles_total", kind="ConsulService")

        def reads() -> float:
            return counter(
                operator, "onex_admin_requests_total", transport="consul", operation="read_services"
            )

        start_reconciles, start_reads = reconciles(), reads()
        wait_until(
            lambda: reconciles() - start_reconciles >= SWEEPS * COUNT,
            120,
            lambda: f"only {reconciles() - start_reconciles} drift checks of {SWEEPS * COUNT}",
        )
        checked, read = reconciles() - start_reconciles, reads() - start_reads
        registers = counter(
            operator, "onex_admin_requests_total", transport="consul", operation="register_service"
        )
    print(
        f"{checked:.0f} idle drift checks of {COUNT} ConsulServices: {read:.0f} reads of the agent's services"
    )
    # one read per sweep of the connection, not one per service (a sweep may straddle two reads)
    assert read <= 2 * SWEEPS + 2, (checked, read)
    assert registers == COUNT  # idle: nothing written after the first registration
