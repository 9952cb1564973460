"""The test-bed's own mechanisms, without starting any service."""

from __future__ import annotations

import io
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from onex_operator.testbed.cli import render_env, render_status_table
from onex_operator.testbed.credentials import load_or_create_credentials
from onex_operator.testbed.manager import ModelComponentStatus
from onex_operator.testbed.processes import ModelLaunch, is_running, spawn, stop
from onex_operator.testbed.progress import Progress, format_duration
from onex_operator.testbed.settings import load_settings
from onex_operator.testbed.state import ProcessState

pytestmark = pytest.mark.unit


def test_ports_and_directories_follow_the_environment(tmp_path: Path) -> None:
    settings = load_settings({"ONEX_TESTBED_CACHE": str(tmp_path), "ONEX_TESTBED_PORT_POSTGRES": "25432"})
    assert settings.ports.postgres == 25432
    assert settings.ports.kafka_plaintext == 19092
    assert settings.run_dir == tmp_path / "run"
    assert settings.bin_dir == tmp_path / "bin"


def test_credentials_are_private_and_stable(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    first = load_or_create_credentials(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_credentials(path) == first
    assert first.kafka_sasl_password != first.postgres_password


def test_env_is_shell_quoted_and_can_hide_secrets() -> None:
    variables = {"PGPASSWORD": "a'b c", "PGHOST": "127.0.0.1", "ONEX_TESTBED_BIN": "/opt/k8s"}
    shown = render_env(variables)
    assert "export PGPASSWORD='a'\"'\"'b c'" in shown
    assert shown.endswith('export PATH="$ONEX_TESTBED_BIN:$PATH"')
    hidden = render_env(variables, reveal_secrets=False)
    assert "a'b c" not in hidden and "a'\"'\"'b c" not in hidden
    assert "export PGHOST=127.0.0.1" in hidden
    result = subprocess.run(
        ["bash", "-c", f'{shown}\nprintf %s "$PGPASSWORD"'], capture_output=True, text=True, check=True
    )
    assert result.stdout == "a'b c"


def test_status_table_aligns_columns() -> None:
    table = render_status_table(
        [
            ModelComponentStatus(name="etcd", pid=12, ports=[1, 2], version="3.6", health="ready"),
            ModelComponentStatus(name="kube-apiserver", pid=None, ports=[3], version=None, health="stopped"),
        ]
    )
    header, first, second = table.splitlines()
    column = header.index("PID")
    assert first[column:].startswith("12 ")
    assert second[column:].startswith("- ")


def test_spawned_process_is_recognised_and_stopped(tmp_path: Path) -> None:
    launch = ModelLaunch(command=[sys.executable, "-c", "import time; time.sleep(60)"])
    record = spawn("sleeper", launch, [], tmp_path / "sleeper.log")
    try:
        assert is_running(record)
        assert stop(record, timeout_seconds=5)
        assert not is_running(record)
        assert not stop(record)  # stopping twice is harmless
    finally:
        stop(record, timeout_seconds=1)


def test_a_recycled_pid_is_not_ours(tmp_path: Path) -> None:
    launch = ModelLaunch(command=[sys.executable, "-c", "import time; time.sleep(60)"])
    record = spawn("sleeper", launch, [], tmp_path / "sleeper.log")
    try:
        impostor = record.model_copy(update={"executable": "kube-apiserver"})
        assert not is_running(impostor)
    finally:
        stop(record, timeout_seconds=5)


def test_state_round_trip(tmp_path: Path) -> None:
    launch = ModelLaunch(command=[sys.executable, "-c", "pass"])
    record = spawn("quick", launch, [1234], tmp_path / "quick.log")
    state = ProcessState(tmp_path / "state.json")
    state.save({"quick": record})
    assert state.load() == {"quick": record}


def test_progress_heartbeat_reports_the_latest_detail() -> None:
    stream = io.StringIO()
    progress = Progress(stream=stream, heartbeat_seconds=0.05)
    with progress.step("etcd", "building") as step:
        step.update("10/20 packages compiled")
        time.sleep(0.2)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "[testbed] etcd: building ..."
    assert any("10/20 packages compiled" in line for line in lines[1:-1])
    assert lines[-1].startswith("[testbed] etcd: building done in")


def test_progress_names_a_failed_step() -> None:
    stream = io.StringIO()
    with pytest.raises(RuntimeError), Progress(stream=stream).step("kafka", "resolving jars"):
        raise RuntimeError("boom")
    assert "resolving jars FAILED" in stream.getvalue()


def test_durations_read_naturally() -> None:
    assert format_duration(5.25) == "5.2s"
    assert format_duration(125) == "2m05s"
