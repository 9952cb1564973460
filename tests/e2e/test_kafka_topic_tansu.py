"""KafkaTopic against tansu, a Kafka-compatible broker that lacks CreatePartitions (and the legacy
AlterConfigs, which the operator never uses: it alters configs with IncrementalAlterConfigs, which
tansu has). Creates, config changes and deletes work; a partition increase leaves the resource
Ready=False with InfraResourceUnavailableError naming the missing API, retried (a broker can be
upgraded), and never holds up the other resources on the connection.

Tansu is the test-bed's optional component: each test starts its own (own run directory, free port,
the test-bed's cached binary) and stops it afterwards; the shared test-bed is never touched.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from confluent_kafka import TopicCollection
from confluent_kafka.admin import AdminClient, ConfigResource

from onex_operator.testbed.manager import TestbedFailedError
from onex_operator.testbed.optional import ModelTansuAccess, running_tansu
from onex_operator.testbed.settings import load_settings
from tests.conftest import RunningTestbed
from tests.e2e.conftest import Cluster, free_port, wait_until

pytestmark = pytest.mark.e2e
PLURAL, KIND = "kafkatopics", "KafkaTopic"
CONNECTION = "tansu"
UNAVAILABLE = "InfraResourceUnavailableError"


@dataclass(frozen=True)
class Tansu:
    access: ModelTansuAccess
    # one client for the test: librdkafka fails the futures of a client that is destroyed
    admin: AdminClient

    def partitions(self, topic: str) -> int | None:
        """The topic's partition count in tansu, None when it does not exist."""
        topics = self.admin.list_topics(timeout=10).topics
        return len(topics[topic].partitions) if topic in topics else None

    def config(self, topic: str, key: str) -> str | None:
        resource = ConfigResource(ConfigResource.Type.TOPIC, topic)
        entries = self.admin.describe_configs([resource], request_timeout=10)[resource].result(15)
        entry = entries.get(key)
        return None if entry is None else str(entry.value)

    def topic_id(self, topic: str) -> str:
        described = self.admin.describe_topics(TopicCollection([topic]), request_timeout=10)
        return str(described[topic].result(15).topic_id)

    def log(self) -> str:
        return self.access.log_path.read_text(errors="replace")


@pytest.fixture
def tansu(testbed: RunningTestbed, tmp_path: Path) -> Iterator[Tansu]:
    """A tansu of this test alone: its own run directory and port, the test-bed's cached binary."""
    settings = load_settings(
        {
            "ONEX_TESTBED_CACHE": str(testbed.settings.cache_dir),
            "ONEX_TESTBED_RUN_DIR": str(tmp_path / "tansu-run"),
            "ONEX_TESTBED_PORT_TANSU": str(free_port()),
        }
    )
    try:
        with running_tansu(settings) as access:
            yield Tansu(access, AdminClient({"bootstrap.servers": access.bootstrap, "log_level": 0}))
    except TestbedFailedError as failed:
        pytest.fail(f"tansu could not start:\n{failed}", pytrace=False)


@pytest.fixture
def tansu_cluster(tansu: Tansu, cluster: Cluster) -> Cluster:
    """`cluster` with an InfraConnection `tansu` (PLAINTEXT, no credentials). Requested after
    `tansu`, the namespace is removed (its topics deleted) while tansu still runs."""
    spec: dict[str, object] = {
        "kafka": {"bootstrapServers": [tansu.access.bootstrap], "securityProtocol": "PLAINTEXT"}
    }
    cluster.apply("infraconnections", "InfraConnection", CONNECTION, spec)
    return cluster


def unique_topic() -> str:
    return f"e2e.tansu.{uuid.uuid4().hex[:10]}"


def on_tansu(topic: str, partitions: int, **extra: object) -> dict[str, object]:
    return {
        "topicName": topic,
        "partitions": partitions,
        "connectionRef": {"kind": "InfraConnection", "name": CONNECTION},
        **extra,
    }


def ready_message(cluster: Cluster, name: str) -> str:
    return str((cluster.condition(PLURAL, name) or {}).get("message", ""))


def test_a_partition_increase_names_the_missing_api_while_creates_still_work(
    tansu_cluster: Cluster, tansu: Tansu
) -> None:
    cluster, grown = tansu_cluster, unique_topic()
    cluster.apply(PLURAL, KIND, "grow", on_tansu(grown, 1))
    found = cluster.wait_condition(PLURAL, "grow", status="True", reason="Reconciled")
    status = found["status"]
    assert isinstance(status, dict)
    assert status["partitions"] == 1, status
    assert tansu.partitions(grown) == 1
    assert status["topicId"] == tansu.topic_id(grown), status

    cluster.apply(PLURAL, KIND, "grow", on_tansu(grown, 3))
    found = cluster.wait_condition(PLURAL, "grow", status="False", reason=UNAVAILABLE, timeout=90)
    message = ready_message(cluster, "grow")
    # named by the operator itself, not only in the client library's own words
    assert "missing Kafka API: CreatePartitions" in message, f"{message}\ntansu's log:\n{tansu.log()}"
    status = found["status"]
    assert isinstance(status, dict)
    last_error = status.get("lastError")
    assert isinstance(last_error, dict), status
    assert last_error["errorClass"] == UNAVAILABLE, last_error
    assert last_error["operation"] == "create_partitions", last_error
    assert last_error["transport"] == "kafka", last_error
    assert tansu.access.bootstrap in str(last_error["target"]), last_error
    # retried, not stalled: the broker may be upgraded to one that has the API
    assert last_error["retryable"] is True, last_error
    assert (cluster.condition(PLURAL, "grow", "Stalled") or {}).get("status") == "False"
    assert (cluster.condition(PLURAL, "grow", "Reconciling") or {}).get("status") == "True"
    warnings = [event for event in cluster.events("grow") if event.reason == UNAVAILABLE]
    assert any("CreatePartitions" in (event.message or "") for event in warnings), [
        (event.reason, event.message) for event in cluster.events("grow")
    ]
    assert tansu.partitions(grown) == 1

    # the same connection still creates (and deletes) topics while the increase keeps failing
    created = unique_topic()
    cluster.apply(PLURAL, KIND, "beside", on_tansu(created, 2, deletionPolicy="Delete"))
    cluster.wait_condition(PLURAL, "beside", status="True", reason="Reconciled")
    assert tansu.partitions(created) == 2
    assert (cluster.condition(PLURAL, "grow") or {}).get("reason") == UNAVAILABLE
    cluster.delete(PLURAL, "beside")
    cluster.wait_gone(PLURAL, "beside")
    wait_until(lambda: tansu.partitions(created) is None, 30, f"{created} is still in tansu")

    # the user's way out: back to what the broker has, and the resource is Ready again
    cluster.apply(PLURAL, KIND, "grow", on_tansu(grown, 1))
    found = cluster.wait_condition(PLURAL, "grow", status="True", reason="Reconciled", timeout=90)
    status = found["status"]
    assert isinstance(status, dict)
    assert "lastError" not in status, status


def test_a_config_change_goes_through_incremental_alter_configs(tansu_cluster: Cluster, tansu: Tansu) -> None:
    cluster, topic = tansu_cluster, unique_topic()
    cluster.apply(PLURAL, KIND, "configured", on_tansu(topic, 1, config={"retention.ms": "3600000"}))
    cluster.wait_condition(PLURAL, "configured", status="True", reason="Reconciled")
    assert tansu.config(topic, "retention.ms") == "3600000"

    cluster.apply(PLURAL, KIND, "configured", on_tansu(topic, 1, config={"retention.ms": "7200000"}))
    cluster.wait_condition(PLURAL, "configured", status="True", reason="Reconciled")
    wait_until(
        lambda: tansu.config(topic, "retention.ms") == "7200000",
        30,
        lambda: f"retention.ms in tansu is {tansu.config(topic, 'retention.ms')}",
    )
