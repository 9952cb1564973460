"""The optional tansu broker, started alone: it answers the Kafka protocol, creates, alters (with
IncrementalAlterConfigs) and deletes topics, and lacks CreatePartitions and the legacy AlterConfigs,
which is what the e2e tests of a broker without a feature rely on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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

from onex_operator.testbed.components.base import TestbedContext
from onex_operator.testbed.components.tansu import TansuComponent
from onex_operator.testbed.http_probe import ProbeFailedError, port_open
from onex_operator.testbed.manager import TestbedFailedError
from onex_operator.testbed.optional import ModelTansuAccess, optional_testbed, start_tansu, stop_tansu
from onex_operator.testbed.progress import Progress
from onex_operator.testbed.settings import ModelTestbedSettings, load_settings
from tests.conftest import RunningTestbed
from tests.cpu_burner import free_port

pytestmark = pytest.mark.integration


@pytest.fixture
def settings(testbed: RunningTestbed, tmp_path: Path) -> ModelTestbedSettings:
    """Its own run directory and port; the shared test-bed's cache (the binary is obtained once)."""
    return load_settings(
        {
            "ONEX_TESTBED_CACHE": str(testbed.settings.cache_dir),
            "ONEX_TESTBED_RUN_DIR": str(tmp_path / "run"),
            "ONEX_TESTBED_PORT_TANSU": str(free_port()),
        }
    )


@pytest.fixture
def tansu(settings: ModelTestbedSettings) -> Iterator[ModelTansuAccess]:
    try:
        yield start_tansu(settings)
    except TestbedFailedError as failed:
        pytest.fail(f"tansu could not start:\n{failed}", pytrace=False)
    finally:
        stop_tansu(settings)


def _error(outcome: object) -> KafkaError:
    assert isinstance(outcome, KafkaException), outcome
    error = outcome.args[0]
    assert isinstance(error, KafkaError)
    return error


def test_started_alone_with_its_log_in_the_run_directory(
    tansu: ModelTansuAccess, settings: ModelTestbedSettings
) -> None:
    assert tansu.log_path == settings.logs_dir / "tansu.log"
    assert f"listening on: tcp://{tansu.bootstrap}" in tansu.log_path.read_text()
    (status,) = optional_testbed(settings, ["tansu"]).status()
    assert (status.name, status.pid, status.health) == ("tansu", tansu.pid, "ready")
    assert start_tansu(settings).pid == tansu.pid  # a second start reuses the running one

    assert stop_tansu(settings)
    assert not port_open(settings.ports.tansu)
    assert not stop_tansu(settings)


def test_creates_and_incremental_alters_work_partitions_and_legacy_alters_do_not(
    tansu: ModelTansuAccess,
) -> None:
    admin = AdminClient({"bootstrap.servers": tansu.bootstrap, "log_level": 0})
    admin.create_topics([NewTopic("grown", 1, 1)], operation_timeout=10)["grown"].result(15)
    assert len(admin.list_topics(timeout=10).topics["grown"].partitions) == 1

    grow = admin.create_partitions([NewPartitions("grown", 3)], operation_timeout=10)
    error = _error(grow["grown"].exception(15))
    assert error.code() == KafkaError._UNSUPPORTED_FEATURE
    assert "CreatePartitions" in error.str()

    resource = ConfigResource(
        ConfigResource.Type.TOPIC,
        "grown",
        incremental_configs=[
            ConfigEntry("retention.ms", "7200000", incremental_operation=AlterConfigOpType.SET)
        ],
    )
    admin.incremental_alter_configs([resource])[resource].result(15)
    described = ConfigResource(ConfigResource.Type.TOPIC, "grown")
    assert admin.describe_configs([described])[described].result(15)["retention.ms"].value == "7200000"

    legacy = ConfigResource(ConfigResource.Type.TOPIC, "grown", set_config={"retention.ms": "1000"})
    with pytest.warns(DeprecationWarning):
        futures = admin.alter_configs([legacy])
    error = _error(futures[legacy].exception(15))
    assert error.code() == KafkaError._UNSUPPORTED_FEATURE
    assert "AlterConfigs" in error.str()

    admin.delete_topics(["grown"], operation_timeout=10)["grown"].result(15)


def test_another_kafka_on_the_port_is_not_taken_for_tansu(testbed: RunningTestbed, tmp_path: Path) -> None:
    kafka_port = str(testbed.settings.ports.kafka_plaintext)
    settings = load_settings({"ONEX_TESTBED_CACHE": str(tmp_path), "ONEX_TESTBED_PORT_TANSU": kafka_port})
    context = TestbedContext(settings=settings, credentials=testbed.credentials, progress=Progress())
    with pytest.raises(ProbeFailedError, match="not tansu's"):
        TansuComponent(context).probe()
