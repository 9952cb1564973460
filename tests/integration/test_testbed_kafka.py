"""The test-bed's Kafka is a real broker: topic admin works and SASL checks passwords."""

from __future__ import annotations

import uuid

import pytest
from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import (
    AdminClient,
    AlterConfigOpType,
    ConfigEntry,
    ConfigResource,
    NewPartitions,
    NewTopic,
)

from tests.conftest import RunningTestbed

pytestmark = pytest.mark.integration


def _admin(testbed: RunningTestbed) -> AdminClient:
    return AdminClient({"bootstrap.servers": testbed.env["ONEX_KAFKA_BOOTSTRAP"]})


def test_topic_lifecycle(testbed: RunningTestbed) -> None:
    admin = _admin(testbed)
    name = f"testbed-{uuid.uuid4().hex[:8]}"
    admin.create_topics(
        [NewTopic(name, num_partitions=1, replication_factor=1, config={"retention.ms": "60000"})]
    )[name].result(30)

    resource = ConfigResource(ConfigResource.Type.TOPIC, name)
    described = admin.describe_configs([resource])[resource].result(30)
    assert described["retention.ms"].value == "60000"

    admin.incremental_alter_configs(
        [
            ConfigResource(
                ConfigResource.Type.TOPIC,
                name,
                incremental_configs=[_set_config("cleanup.policy", "compact")],
            )
        ]
    )[resource].result(30)
    described = admin.describe_configs([resource])[resource].result(30)
    assert described["cleanup.policy"].value == "compact"

    admin.create_partitions([NewPartitions(name, 3)])[name].result(30)
    metadata = admin.list_topics(topic=name, timeout=10)
    assert len(metadata.topics[name].partitions) == 3

    admin.delete_topics([name])[name].result(30)
    assert name not in admin.list_topics(timeout=10).topics


def _set_config(key: str, value: str) -> ConfigEntry:
    return ConfigEntry(key, value, incremental_operation=AlterConfigOpType.SET)


def test_sasl_listener_checks_the_password(testbed: RunningTestbed) -> None:
    common = {
        "bootstrap.servers": testbed.env["ONEX_KAFKA_SASL_BOOTSTRAP"],
        "security.protocol": "SASL_PLAINTEXT",
        "sasl.mechanism": testbed.env["ONEX_KAFKA_SASL_MECHANISM"],
        "sasl.username": testbed.env["ONEX_KAFKA_SASL_USERNAME"],
    }
    good = AdminClient({**common, "sasl.password": testbed.env["ONEX_KAFKA_SASL_PASSWORD"]})
    assert good.list_topics(timeout=10).brokers

    # librdkafka reports the broker's refusal through the error callback; the call itself only
    # sees that no broker could be used
    reported: list[KafkaError] = []
    bad = AdminClient(
        {**common, "sasl.password": "not-the-password", "error_cb": reported.append, "log_level": 0}
    )
    with pytest.raises(KafkaException):
        bad.list_topics(timeout=10)
    bad.poll(1)  # serves the queued error callbacks
    assert any(error.code() == KafkaError._AUTHENTICATION for error in reported), reported
