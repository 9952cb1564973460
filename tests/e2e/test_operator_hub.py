"""The operator's HTTP hub as a user and Prometheus see it: probes, metrics, nodes and services."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import RunningTestbed
from tests.e2e.conftest import REPO, Cluster, OperatorProcess, running_operator, wait_until
from tests.e2e.private_kafka import private_kafka, remove_topics, shared_admin

pytestmark = pytest.mark.e2e
PLURAL, KIND = "kafkatopics", "KafkaTopic"
UNREACHABLE = {"InfraConnectionError", "InfraTimeoutError"}


def samples(operator: OperatorProcess) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    status, text = operator.get("/metrics")
    assert status == 200, text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def service(operator: OperatorProcess, connection: str) -> dict[str, object] | None:
    status, text = operator.get("/services")
    assert status == 200, text
    entries = [entry for entry in json.loads(text) if entry["connection"] == connection]
    assert all(entry["transport"] == "kafka" for entry in entries), entries
    return entries[0] if entries else None


def test_probes(operator: OperatorProcess) -> None:
    assert operator.get("/healthz") == (200, "ok")
    assert operator.get("/readyz")[0] == 200


def test_metrics_count_reconciles_and_admin_requests(
    cluster: Cluster, operator: OperatorProcess, testbed: RunningTestbed
) -> None:
    before = samples(operator)
    topic = f"e2e.hub.{uuid.uuid4().hex[:10]}"
    try:
        cluster.apply(PLURAL, KIND, "counted", {"topicName": topic, "partitions": 1})
        cluster.wait_condition(PLURAL, "counted", status="True", reason="Reconciled")
        after = samples(operator)

        def grew(name: str, **labels: str) -> bool:
            return value(after, name, **labels) > value(before, name, **labels)

        assert grew("onex_reconciles_total", kind=KIND, result="success")
        assert grew("onex_admin_requests_total", transport="kafka", operation="describe_topics")
        assert grew("onex_admin_requests_total", transport="kafka", operation="create_topics")
        assert grew("onex_reconcile_duration_seconds_count", kind=KIND)
        wait_until(
            lambda: value(samples(operator), "onex_managed_resources", kind=KIND, ready="True") >= 1,
            30,
            "onex_managed_resources never counted the Ready KafkaTopic",
        )
    finally:
        remove_topics(shared_admin(testbed), [topic])


def test_nodes_list_the_kafka_adapter_with_its_contract_version(operator: OperatorProcess) -> None:
    contract = yaml.safe_load((REPO / "contracts" / "kafka_adapter" / "contract.yaml").read_text())
    status, text = operator.get("/nodes")
    assert status == 200, text
    nodes = {node["name"]: node for node in json.loads(text)}
    assert "kafka_adapter" in nodes, sorted(nodes)
    adapter = nodes["kafka_adapter"]
    assert adapter["contract_version"] == str(contract["contract_version"]), adapter
    assert adapter["node_type"] == contract["node_type"], adapter
    assert adapter["healthy"] is True, adapter


def test_services_follow_the_reachability_of_each_connection(
    cluster: Cluster, operator: OperatorProcess, testbed: RunningTestbed, tmp_path: Path
) -> None:
    shared_topic = f"e2e.hub.{uuid.uuid4().hex[:10]}"
    shared, private = f"{cluster.namespace}/default", f"{cluster.namespace}/private"
    try:
        cluster.apply(PLURAL, KIND, "shared", {"topicName": shared_topic, "partitions": 1})
        with private_kafka(testbed, tmp_path / "kafka") as broker:
            cluster.apply("infraconnections", "InfraConnection", "private", broker.connection_spec())
            spec = {
                "topicName": f"e2e.hub.{uuid.uuid4().hex[:10]}",
                "partitions": 1,
                "connectionRef": {"kind": "InfraConnection", "name": "private"},
            }
            cluster.apply(PLURAL, KIND, "private", spec)
            cluster.wait_condition(PLURAL, "shared", status="True", reason="Reconciled")
            cluster.wait_condition(PLURAL, "private", status="True", reason="Reconciled")
            for connection in (shared, private):
                entry = service(operator, connection)
                assert entry is not None and entry["reachable"] is True, entry
                assert entry["last_error_class"] is None, entry

            broker.stop()
            # the drift sweep looks at the Ready resource and finds its broker gone
            wait_until(
                lambda: (service(operator, private) or {}).get("reachable") is False,
                90,
                lambda: f"/services never reported the stopped broker: {service(operator, private)}",
            )
            entry = service(operator, private)
            assert entry is not None and entry["last_error_class"] in UNREACHABLE, entry
            assert (service(operator, shared) or {}).get("reachable") is True

            broker.start()
            wait_until(
                lambda: (service(operator, private) or {}).get("reachable") is True,
                90,
                lambda: f"/services never saw the broker come back: {service(operator, private)}",
            )
    finally:
        remove_topics(shared_admin(testbed), [shared_topic])


def test_readyz_while_running_and_a_clean_exit(testbed: RunningTestbed, tmp_path: Path) -> None:
    """A second operator (a namespace glob that matches nothing): ready while it runs; SIGTERM
    stops it cleanly and the hub goes with it."""
    with running_operator(testbed, tmp_path, "hub-none-*") as other:
        assert other.get("/readyz")[0] == 200
        other.stop()
        assert other.process.returncode == 0, other.log()
        with pytest.raises(OSError):
            other.get("/readyz")
