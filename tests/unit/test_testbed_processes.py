"""Whether a test-bed process runs, judged right after it starts and on a busy machine.

Right after `Popen` returns, /proc/<pid>/cmdline can read empty for a while (the new program's
arguments are not set up yet), and under load that while is long enough to be seen. These tests
make it happen for sure by injecting the empty read, and often for real on a machine kept busy by
`cpu_burner`; no service is started, the components here are small local programs.
"""

from __future__ import annotations

import io
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from onex_operator.testbed import processes
from onex_operator.testbed.http_probe import ProbeFailedError, get_text
from onex_operator.testbed.manager import Testbed, TestbedFailedError
from onex_operator.testbed.processes import ModelLaunch, ModelProcessRecord
from onex_operator.testbed.progress import Progress
from onex_operator.testbed.settings import load_settings
from tests.cpu_burner import cpu_burner, free_port

pytestmark = pytest.mark.unit

SLEEPER = ["sleep", "60"]
PF_KTHREAD = 0x00200000  # /proc/<pid>/stat flags: a kernel thread


@pytest.fixture
def empty_cmdlines(monkeypatch: pytest.MonkeyPatch) -> set[int]:
    """Pids whose /proc/<pid>/cmdline reads empty, as a process's does between exec and the set-up
    of the new program's arguments."""
    pids: set[int] = set()
    read_bytes = Path.read_bytes

    def injected(path: Path) -> bytes:
        if path.name == "cmdline" and path.parent in {Path(f"/proc/{pid}") for pid in pids}:
            return b""
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", injected)
    return pids


@pytest.fixture
def started(tmp_path: Path) -> Iterator[list[ModelProcessRecord]]:
    """Records of what a test spawned; each is stopped afterwards (a test asks for this before
    `empty_cmdlines`, so the stop sees the real /proc)."""
    records: list[ModelProcessRecord] = []
    yield records
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(lambda record: processes.stop(record, timeout_seconds=5), records))


def _spawn(records: list[ModelProcessRecord], log: Path, command: list[str] = SLEEPER) -> ModelProcessRecord:
    record = processes.spawn("sleeper", ModelLaunch(command=command), [], log)
    records.append(record)
    return record


def _spawn_in_another_interpreter(log: Path) -> ModelProcessRecord:
    """A sleeper started by an earlier invocation: only its record (as state.json keeps it) is here."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from onex_operator.testbed.processes import ModelLaunch, spawn\n"
        f"record = spawn('sleeper', ModelLaunch(command={SLEEPER!r}), [], Path(sys.argv[1]))\n"
        "print(record.model_dump_json())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(log)], capture_output=True, text=True, check=True
    )
    return ModelProcessRecord.model_validate_json(result.stdout)


def test_a_started_process_runs_while_its_command_line_reads_empty(
    tmp_path: Path, started: list[ModelProcessRecord], empty_cmdlines: set[int]
) -> None:
    record = _spawn(started, tmp_path / "sleeper.log")
    empty_cmdlines.add(record.pid)
    assert processes.is_running(record)
    assert processes.stop(record, timeout_seconds=5)
    assert not processes.is_running(record)


def test_an_earlier_invocations_process_is_starting_while_its_command_line_reads_empty(
    tmp_path: Path, started: list[ModelProcessRecord], empty_cmdlines: set[int]
) -> None:
    record = _spawn_in_another_interpreter(tmp_path / "sleeper.log")
    started.append(record)
    assert processes.is_running(record)
    empty_cmdlines.add(record.pid)
    assert processes.is_running(record)
    empty_cmdlines.clear()
    assert processes.stop(record, timeout_seconds=5)
    assert not processes.is_running(record)
    assert processes.exit_code(record) is None  # not our child: its exit code is not ours to know


def test_a_kernel_thread_on_a_recorded_pid_is_not_ours() -> None:
    """A recycled pid (after a reboot, say) may belong to a kernel thread, whose command line is
    always empty: that must not pass for a program that is starting."""
    kernel_threads = [
        stat
        for stat in (path / "stat" for path in Path("/proc").iterdir() if path.name.isdigit())
        if _is_kernel_thread(stat)
    ]
    assert kernel_threads, "this machine shows no kernel thread in /proc"
    stat = kernel_threads[0]
    name = stat.read_text().split("(", 1)[1].rsplit(")", 1)[0]
    record = ModelProcessRecord(
        component="etcd",
        pid=int(stat.parent.name),
        executable=name,
        ports=[],
        log_path=Path("/dev/null"),
        stop_signal=15,
        started_at=0.0,
    )
    assert not processes.is_running(record)


def _is_kernel_thread(stat: Path) -> bool:
    try:
        flags = int(stat.read_text().rsplit(")", 1)[1].split()[6])
    except (OSError, IndexError):
        return False
    return bool(flags & PF_KTHREAD)


def test_an_exit_is_seen_with_its_code(tmp_path: Path, started: list[ModelProcessRecord]) -> None:
    record = _spawn(started, tmp_path / "quitter.log", [sys.executable, "-c", "raise SystemExit(3)"])
    _until(lambda: not processes.is_running(record))
    assert processes.exit_code(record) == 3
    assert not processes.stop(record)


def test_every_process_runs_when_checked_right_after_its_start_on_a_busy_machine(
    tmp_path: Path, started: list[ModelProcessRecord]
) -> None:
    with cpu_burner():
        judged_gone = [
            record.pid
            for record in (_spawn(started, tmp_path / "sleeper.log") for _ in range(60))
            if not processes.is_running(record)
        ]
    assert judged_gone == []


@dataclass
class StandIn:
    """A component as the manager sees it, running a small local program instead of a service."""

    name: str
    command: list[str]
    probe_port: int | None = None  # None: ready as soon as it runs
    prepare_seconds: float = 0.0
    depends_on: tuple[str, ...] = ()

    def ports(self) -> list[int]:
        return [] if self.probe_port is None else [self.probe_port]

    def obtain(self) -> None:
        return None

    def prepare(self) -> None:
        time.sleep(self.prepare_seconds)

    def launch(self) -> ModelLaunch:
        return ModelLaunch(command=self.command)

    def probe(self) -> str:
        if self.probe_port is not None:
            get_text(f"http://127.0.0.1:{self.probe_port}/")
        return "stand-in"

    def after_ready(self) -> None:
        return None

    def client_env(self) -> dict[str, str]:
        return {}


def _http_server(name: str, directory: Path) -> StandIn:
    port = free_port()
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory"]
    return StandIn(name=name, command=[*command, str(directory)], probe_port=port)


def _testbed(tmp_path: Path, components: list[StandIn], ready_timeout: float = 60) -> Testbed:
    settings = load_settings(
        {
            "ONEX_TESTBED_CACHE": str(tmp_path / "cache"),
            "ONEX_TESTBED_POSTGRES_DIR": str(tmp_path / "postgres"),
            "ONEX_TESTBED_READY_TIMEOUT": str(ready_timeout),
        }
    )
    testbed = Testbed(settings, Progress(stream=io.StringIO()))
    testbed.components = list(components)
    return testbed


def test_testbed_up_on_a_busy_machine(tmp_path: Path) -> None:
    components = [_http_server(f"server-{index}", tmp_path) for index in range(6)]
    testbed = _testbed(tmp_path, components)
    try:
        with cpu_burner():
            statuses = testbed.up()
        assert [status.health for status in statuses] == ["ready"] * len(components)
        assert [(status.name, status.pid) for status in testbed.status()] == [
            (status.name, status.pid) for status in statuses
        ]
    finally:
        stopped = testbed.down()
    assert sorted(stopped) == sorted(component.name for component in components)
    assert {status.health for status in testbed.status()} == {"stopped"}


def test_a_component_that_exits_is_reported_with_its_exit_code(tmp_path: Path) -> None:
    quitter = StandIn(
        name="quitter", command=[sys.executable, "-c", "raise SystemExit(3)"], probe_port=free_port()
    )
    testbed = _testbed(tmp_path, [quitter])
    with pytest.raises(TestbedFailedError, match="quitter: exited with code 3 before it became ready"):
        testbed.up()


def test_a_slow_preparation_does_not_use_up_the_readiness_timeout(tmp_path: Path) -> None:
    """initdb, key generation or Kafka's storage format can be slow on a busy machine; the
    process's own time to become ready starts when it is started."""
    slow = StandIn(name="slow", command=SLEEPER, prepare_seconds=1.5)
    testbed = _testbed(tmp_path, [slow], ready_timeout=1)
    try:
        assert [status.health for status in testbed.up()] == ["ready"]
    finally:
        testbed.down()


def test_an_answer_broken_off_is_a_failed_probe() -> None:
    """A server that is starting or restarting can close the connection in the middle of a reply."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]

        def answer_half() -> None:
            connection, _ = server.accept()
            with connection:
                connection.recv(4096)
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nok")

        answering = threading.Thread(target=answer_half)
        answering.start()
        try:
            with pytest.raises(ProbeFailedError, match="broke off"):
                get_text(f"http://127.0.0.1:{port}/readyz")
        finally:
            answering.join()


def _until(condition: Callable[[], bool], attempts: int = 200) -> None:
    for _ in range(attempts):
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("the condition never held")
