"""KafkaTopic lifecycle against real Kafka: create, grow, reconfigure, delete under each policy."""

from __future__ import annotations

import uuid

import pytest
from confluent_kafka.admin import AdminClient, ConfigResource

from tests.conftest import RunningTestbed
from tests.e2e.conftest import Cluster, wait_until

pytestmark = pytest.mark.e2e
PLURAL, KIND = "kafkatopics", "KafkaTopic"


def kafka(testbed: RunningTestbed) -> AdminClient:
    return AdminClient({"bootstrap.servers": testbed.env["ONEX_KAFKA_BOOTSTRAP"]})


def describe(testbed: RunningTestbed, topic: str) -> tuple[int, dict[str, str]] | None:
    admin = kafka(testbed)
    metadata = admin.list_topics(timeout=10)
    if topic not in metadata.topics:
        return None
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic)
    entries = admin.describe_configs([resource])[resource].result(10)
    dynamic = {k: v.value for k, v in entries.items() if v.source == 1}  # DYNAMIC_TOPIC_CONFIG
    return len(metadata.topics[topic].partitions), dynamic


def unique_topic() -> str:
    return f"e2e.{uuid.uuid4().hex[:10]}"


def test_create_grow_reconfigure_and_delete(cluster: Cluster, testbed: RunningTestbed) -> None:
    topic = unique_topic()
    spec: dict[str, object] = {
        "topicName": topic,
        "partitions": 2,
        "replicationFactor": 1,
        "config": {"retention.ms": "3600000"},
        "deletionPolicy": "Delete",
    }
    cluster.apply(PLURAL, KIND, "lifecycle", spec)
    found = cluster.wait_condition(PLURAL, "lifecycle", status="True", reason="Reconciled")
    status = found["status"]
    assert isinstance(status, dict)
    assert status["topicName"] == topic and status["partitions"] == 2 and status["topicId"]
    assert describe(testbed, topic) == (2, {"retention.ms": "3600000"})

    cluster.apply(
        PLURAL, KIND, "lifecycle", {**spec, "partitions": 4, "config": {"cleanup.policy": "compact"}}
    )
    cluster.wait_condition(PLURAL, "lifecycle", status="True", reason="Reconciled")
    wait_until(
        lambda: describe(testbed, topic) == (4, {"cleanup.policy": "compact"}),
        20,
        lambda: f"topic is {describe(testbed, topic)}",
    )
    reasons = {event.reason for event in cluster.events("lifecycle")}
    assert {"Created", "Updated"} <= reasons

    cluster.delete(PLURAL, "lifecycle")
    cluster.wait_gone(PLURAL, "lifecycle")
    wait_until(lambda: describe(testbed, topic) is None, 30, "deletionPolicy Delete left the topic behind")


def test_retain_keeps_the_topic(cluster: Cluster, testbed: RunningTestbed) -> None:
    topic = unique_topic()
    cluster.apply(PLURAL, KIND, "kept", {"topicName": topic, "partitions": 1})
    cluster.wait_condition(PLURAL, "kept", status="True")
    cluster.delete(PLURAL, "kept")
    cluster.wait_gone(PLURAL, "kept")
    assert describe(testbed, topic) is not None
    admin = kafka(testbed)  # keep the client alive until the future resolves
    admin.delete_topics([topic])[topic].result(30)
