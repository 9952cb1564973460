"""`make demo`'s job, as a user runs it: it ends with every example kind Ready in its table, and
the Secret the example VaultSecret keeps in sync, by key names only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import RunningTestbed
from tests.e2e.conftest import free_port

pytestmark = pytest.mark.e2e


def test_demo_ends_with_every_example_ready(testbed: RunningTestbed) -> None:
    onex_infra = str(Path(sys.executable).with_name("onex-infra"))
    result = subprocess.run(
        [onex_infra, "demo", "--exit-when-ready", "--hub-port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [line.split() for line in result.stdout.splitlines()]
    assert ["RESOURCE", "READY", "REASON", "MESSAGE"] in rows
    assert any(row[:2] == ["KafkaTopic/orders-events", "True"] for row in rows), result.stdout
    assert any(row[:2] == ["VaultSecret/orders-db", "True"] for row in rows), result.stdout
    lines = result.stdout.splitlines()
    target = next(line for line in lines if line.startswith("Secret/orders-db-credentials"))
    assert "keys password, username (values not shown), owned by VaultSecret/orders-db" in target, target
    assert any(row[:2] == ["ConsulService/orders-api", "True"] for row in rows), result.stdout
    # the example's checks probe an API that does not run here: critical, and still Ready
    health = next(line for line in lines if line.startswith("ConsulService/orders-api: health"))
    assert "http-ready" in health and "heartbeat" in health, health
    assert any(row[:2] == ["PostgresMigration/orders-schema", "True"] for row in rows), result.stdout
    migrations = next(line for line in lines if line.startswith("PostgresMigration/orders-schema:"))
    assert "3 applied, last 2.1, pending none" in migrations, migrations
