"""The test-bed starts on a busy machine.

A second test-bed (its own run directory and free ports, the shared cache of builds) starts real
etcd, kube-apiserver, kube-controller-manager, Consul and PostgreSQL while every core is busy, then
stops them. Kafka is left out for its start-up time and memory; the shared test-bed is not touched.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from onex_operator.testbed.manager import Testbed
from onex_operator.testbed.progress import Progress
from onex_operator.testbed.settings import ModelTestbedPorts, load_settings
from tests.cpu_burner import cpu_burner, free_port

pytestmark = pytest.mark.integration

STARTED = ["etcd", "kube-apiserver", "kube-controller-manager", "consul", "postgres"]


@pytest.fixture
def busy_testbed(tmp_path: Path) -> Iterator[Testbed]:
    ports = {f"ONEX_TESTBED_PORT_{name.upper()}": str(free_port()) for name in ModelTestbedPorts.model_fields}
    # as root PostgreSQL runs as `postgres`, which cannot enter pytest's private temporary directory
    postgres_dir = Path("/var/tmp") / f"onex-infra-busy-{uuid.uuid4().hex[:8]}"
    settings = load_settings(
        {
            **os.environ,
            **ports,
            "ONEX_TESTBED_RUN_DIR": str(tmp_path / "run"),
            "ONEX_TESTBED_POSTGRES_DIR": str(postgres_dir),
        }
    )
    testbed = Testbed(settings, Progress())
    testbed.components = [component for component in testbed.components if component.name in STARTED]
    for component in testbed.components:
        component.obtain()  # cached by `make test`'s `testbed up`; never built under the burner
    try:
        yield testbed
    finally:
        testbed.down(purge=True)  # removes the run and PostgreSQL directories too


def test_components_start_and_stop_while_every_core_is_busy(busy_testbed: Testbed) -> None:
    with cpu_burner():
        statuses = busy_testbed.up()
        assert [(status.name, status.health) for status in statuses] == [(name, "ready") for name in STARTED]
        assert [(status.name, status.pid, status.health) for status in busy_testbed.status()] == [
            (status.name, status.pid, "ready") for status in statuses
        ]
        assert busy_testbed.down() == list(reversed(STARTED))
    assert {status.health for status in busy_testbed.status()} == {"stopped"}
