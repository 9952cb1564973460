"""Drift, refused changes, conflicts, Observe, adopt and dependsOn, against real Kafka."""

from __future__ import annotations

import pytest
from confluent_kafka.admin import AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource, NewTopic

from tests.conftest import RunningTestbed
from tests.e2e.conftest import Cluster, wait_until
from tests.e2e.test_kafka_topic_lifecycle import KIND, PLURAL, describe, unique_topic

pytestmark = pytest.mark.e2e


def _alter(admin: AdminClient, topic: str, key: str, value: str) -> None:
    resource = ConfigResource(
        ConfigResource.Type.TOPIC,
        topic,
        incremental_configs=[ConfigEntry(key, value, incremental_operation=AlterConfigOpType.SET)],
    )
    admin.incremental_alter_configs([resource])[resource].result(30)


def test_out_of_band_changes_are_corrected_with_an_event(cluster: Cluster, testbed: RunningTestbed) -> None:
    topic = unique_topic()
    admin = AdminClient({"bootstrap.servers": testbed.env["ONEX_KAFKA_BOOTSTRAP"]})
    cluster.apply(
        PLURAL,
        KIND,
        "drifty",
        {
            "topicName": topic,
            "partitions": 2,
            "config": {"retention.ms": "600000"},
            "deletionPolicy": "Delete",
        },
    )
    cluster.wait_condition(PLURAL, "drifty", status="True")

    _alter(admin, topic, "retention.ms", "1000")
    wait_until(
        lambda: describe(testbed, topic) == (2, {"retention.ms": "600000"}),
        30,
        lambda: f"config drift was not corrected: {describe(testbed, topic)}",
    )

    admin.delete_topics([topic])[topic].result(30)
    wait_until(
        lambda: describe(testbed, topic) == (2, {"retention.ms": "600000"}),
        45,
        lambda: f"deleted topic was not recreated: {describe(testbed, topic)}",
    )

    def corrections() -> list[str]:
        return [e.message or "" for e in cluster.events("drifty") if e.reason == "DriftCorrected"]

    wait_until(
        lambda: len(corrections()) >= 2, 15, lambda: f"expected two DriftCorrected events: {corrections()}"
    )
    assert all("correlationId" in message for message in corrections())


def test_refused_changes_leave_the_topic_untouched(cluster: Cluster, testbed: RunningTestbed) -> None:
    topic = unique_topic()
    spec: dict[str, object] = {
        "topicName": topic,
        "partitions": 3,
        "config": {"retention.ms": "600000"},
        "deletionPolicy": "Delete",
    }
    cluster.apply(PLURAL, KIND, "refused", spec)
    cluster.wait_condition(PLURAL, "refused", status="True")

    cluster.apply(PLURAL, KIND, "refused", {**spec, "partitions": 1, "config": {"retention.ms": "1"}})
    found = cluster.wait_condition(
        PLURAL, "refused", status="True", kind="Stalled", reason="ProtocolConfigurationError"
    )
    assert "cannot decrease" in str(found["condition"])
    assert cluster.condition(PLURAL, "refused")["status"] == "False"  # type: ignore[index]
    assert describe(testbed, topic) == (3, {"retention.ms": "600000"})

    cluster.apply(PLURAL, KIND, "refused", {**spec, "replicationFactor": 3})
    found = cluster.wait_condition(
        PLURAL, "refused", status="True", kind="Stalled", reason="ProtocolConfigurationError"
    )
    assert "replication factor cannot change" in str(found["condition"])
    assert describe(testbed, topic) == (3, {"retention.ms": "600000"})

    cluster.apply(PLURAL, KIND, "refused", spec)  # back to a possible spec: Ready again
    cluster.wait_condition(PLURAL, "refused", status="True")


def test_the_newer_of_two_resources_for_one_topic_is_a_conflict(
    cluster: Cluster, testbed: RunningTestbed
) -> None:
    topic = unique_topic()
    cluster.apply(PLURAL, KIND, "first", {"topicName": topic, "partitions": 2, "deletionPolicy": "Delete"})
    cluster.wait_condition(PLURAL, "first", status="True")
    cluster.apply(PLURAL, KIND, "second", {"topicName": topic, "partitions": 5, "deletionPolicy": "Delete"})
    found = cluster.wait_condition(PLURAL, "second", status="False", reason="ResourceConflict")
    assert "first" in str(found["condition"])
    assert describe(testbed, topic) == (2, {})  # nothing written for the newer resource

    cluster.delete(PLURAL, "second")  # the loser's deletion must not delete the winner's topic
    cluster.wait_gone(PLURAL, "second")
    assert describe(testbed, topic) is not None


def test_observe_reports_drift_and_never_writes(cluster: Cluster, testbed: RunningTestbed) -> None:
    topic = unique_topic()
    admin = AdminClient({"bootstrap.servers": testbed.env["ONEX_KAFKA_BOOTSTRAP"]})
    admin.create_topics(
        [NewTopic(topic, num_partitions=1, replication_factor=1, config={"retention.ms": "1000"})]
    )[topic].result(30)
    try:
        cluster.apply(
            PLURAL,
            KIND,
            "watcher",
            {
                "topicName": topic,
                "partitions": 4,
                "adopt": True,
                "managementPolicy": "Observe",
                "config": {"retention.ms": "5000"},
            },
        )
        found = cluster.wait_condition(PLURAL, "watcher", status="False", reason="DriftDetected")
        message = str(found["condition"])
        assert "retention.ms" in message and "partitions" in message
        assert describe(testbed, topic) == (1, {"retention.ms": "1000"})
        cluster.delete(PLURAL, "watcher")
        cluster.wait_gone(PLURAL, "watcher")
        assert describe(testbed, topic) is not None
    finally:
        admin.delete_topics([topic])[topic].result(30)


def test_existing_topic_is_reported_unless_adopted(cluster: Cluster, testbed: RunningTestbed) -> None:
    topic = unique_topic()
    admin = AdminClient({"bootstrap.servers": testbed.env["ONEX_KAFKA_BOOTSTRAP"]})
    admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])[topic].result(30)
    try:
        spec: dict[str, object] = {"topicName": topic, "partitions": 2}
        cluster.apply(PLURAL, KIND, "foreign", spec)
        found = cluster.wait_condition(PLURAL, "foreign", status="False", reason="ResourceConflict")
        assert "adopt" in str(found["condition"])
        assert describe(testbed, topic) == (1, {})

        cluster.apply(PLURAL, KIND, "foreign", {**spec, "adopt": True})
        cluster.wait_condition(PLURAL, "foreign", status="True")
        wait_until(lambda: describe(testbed, topic) == (2, {}), 20, "the adopted topic was not reconciled")
    finally:
        admin.delete_topics([topic])[topic].result(30)


def test_depends_on_waits_for_its_dependency(cluster: Cluster, testbed: RunningTestbed) -> None:
    base, follower = unique_topic(), unique_topic()
    cluster.apply(
        PLURAL,
        KIND,
        "follower",
        {
            "topicName": follower,
            "deletionPolicy": "Delete",
            "dependsOn": [{"kind": "KafkaTopic", "name": "base"}],
        },
    )
    found = cluster.wait_condition(PLURAL, "follower", status="False", reason="DependencyNotReady")
    assert "KafkaTopic/base" in str(found["condition"])
    assert describe(testbed, follower) is None
    cluster.apply(PLURAL, KIND, "base", {"topicName": base, "deletionPolicy": "Delete"})
    cluster.wait_condition(PLURAL, "base", status="True")
    cluster.wait_condition(PLURAL, "follower", status="True", timeout=60)
    assert describe(testbed, follower) is not None


def test_dependency_cycle_is_a_configuration_error(cluster: Cluster) -> None:
    cluster.apply(
        PLURAL,
        KIND,
        "egg",
        {"topicName": unique_topic(), "dependsOn": [{"kind": "KafkaTopic", "name": "hen"}]},
    )
    cluster.apply(
        PLURAL,
        KIND,
        "hen",
        {"topicName": unique_topic(), "dependsOn": [{"kind": "KafkaTopic", "name": "egg"}]},
    )
    found = cluster.wait_condition(
        PLURAL, "hen", status="True", kind="Stalled", reason="ProtocolConfigurationError"
    )
    assert "cycle" in str(found["condition"])
