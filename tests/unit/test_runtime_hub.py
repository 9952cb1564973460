from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from onex_operator.errors import register_secret
from onex_operator.runtime.health import HealthRegistry
from onex_operator.runtime.hub import HttpHub
from onex_operator.runtime.metrics import OperatorMetrics

pytestmark = pytest.mark.unit


@dataclass
class Served:
    metrics: OperatorMetrics
    health: HealthRegistry
    http: aiohttp.ClientSession
    base: str


@pytest.fixture
async def served() -> AsyncIterator[Served]:
    metrics, health = OperatorMetrics(), HealthRegistry()
    hub = HttpHub(metrics, health, host="127.0.0.1", port=0)
    await hub.start()
    try:
        async with aiohttp.ClientSession() as http:
            yield Served(metrics, health, http, f"http://127.0.0.1:{hub.port}")
    finally:
        await hub.stop()


async def get(served: Served, path: str) -> tuple[int, str]:
    async with served.http.get(served.base + path) as response:
        return response.status, await response.text()


async def test_port_zero_binds_a_free_port_and_stop_releases_it() -> None:
    hub = HttpHub(OperatorMetrics(), HealthRegistry(), host="127.0.0.1", port=0)
    await hub.start()
    assert hub.port > 0
    await hub.stop()
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.ClientConnectionError):
            await http.get(f"http://127.0.0.1:{hub.port}/healthz")


async def test_healthz_answers_while_the_process_serves(served: Served) -> None:
    assert await get(served, "/healthz") == (200, "ok")


async def test_readyz_follows_readiness_with_a_sanitized_reason(served: Served) -> None:
    assert await get(served, "/readyz") == (503, "starting")

    served.health.set_ready(False, "kube-apiserver unreachable at https://admin:hunter2@10.0.0.1")
    status, body = await get(served, "/readyz")
    assert status == 503
    assert "kube-apiserver unreachable" in body
    assert "hunter2" not in body

    served.health.set_ready(True)
    assert await get(served, "/readyz") == (200, "ok")


async def test_metrics_serve_the_prometheus_text(served: Served) -> None:
    served.metrics.observe_reconcile("KafkaTopic", "success", 0.5)

    async with served.http.get(served.base + "/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        body = await response.text()
    assert 'onex_reconciles_total{kind="KafkaTopic",result="success"} 1.0' in body.splitlines()


async def test_nodes_list_each_node_with_its_contract_version(served: Served) -> None:
    served.health.set_node("kafka_adapter", "EFFECT", "1.0.0", healthy=True)
    served.health.set_node("infrastructure_reducer", "REDUCER", "1.0.0", healthy=True)
    served.health.set_node("kafka_adapter", "EFFECT", "1.0.0", healthy=False, detail="password=hunter2")

    async with served.http.get(served.base + "/nodes") as response:
        assert response.status == 200
        nodes = await response.json()
    assert nodes == [
        {
            "name": "infrastructure_reducer",
            "node_type": "REDUCER",
            "contract_version": "1.0.0",
            "healthy": True,
            "detail": "",
        },
        {
            "name": "kafka_adapter",
            "node_type": "EFFECT",
            "contract_version": "1.0.0",
            "healthy": False,
            "detail": "password=***",
        },
    ]


async def test_services_keep_one_entry_per_connection_and_transport(served: Served) -> None:
    before = datetime.now(UTC)
    served.health.set_service("team-a/default", "kafka", reachable=True, error_class=None)
    served.health.set_service("cluster/shared", "vault", reachable=True, error_class=None)
    served.health.set_service(
        "team-a/default",
        "kafka",
        reachable=False,
        error_class="InfraAuthenticationError",
        detail="SASL auth failed for sasl.password=hunter2",
    )

    async with served.http.get(served.base + "/services") as response:
        assert response.status == 200
        services = await response.json()
    assert [(s["connection"], s["transport"]) for s in services] == [
        ("cluster/shared", "vault"),
        ("team-a/default", "kafka"),
    ]
    kafka = services[1]
    assert kafka["reachable"] is False
    assert kafka["last_error_class"] == "InfraAuthenticationError"
    assert "hunter2" not in kafka["detail"]
    assert "SASL auth failed" in kafka["detail"]
    checked = datetime.fromisoformat(kafka["last_checked"])
    assert before <= checked <= datetime.now(UTC) + timedelta(seconds=1)


async def test_secrets_registered_at_run_time_never_leave_through_any_endpoint(served: Served) -> None:
    canary = "canary-7f3a9c1e5b"
    register_secret(canary)
    served.health.set_ready(False, f"waiting for {canary}")
    served.health.set_node("vault_adapter", "EFFECT", "1.0.0", healthy=False, detail=f"read {canary}")
    served.health.set_service("ns/c", "vault", reachable=False, error_class=None, detail=canary)

    for path in ("/readyz", "/nodes", "/services", "/metrics", "/healthz"):
        _, body = await get(served, path)
        assert canary not in body, path


@pytest.mark.parametrize("path", ["/", "/metric", "/nodes/kafka_adapter", "/healthz/extra"])
async def test_unknown_paths_are_not_found(served: Served, path: str) -> None:
    status, _ = await get(served, path)
    assert status == 404
