"""Start, recognise and stop the test-bed's processes by pid.

A process this invocation started is judged by its `Popen` handle: the kernel's answer, which
/proc cannot give right after the start (the new program's command line reads empty for a while).
A process started by an earlier invocation is known only by its pid, which can be recycled, so it
counts as ours only while its command line still names the executable we started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict


class ModelLaunch(BaseModel):
    """How to start one component's process."""

    model_config = ConfigDict(frozen=True)

    command: list[str]
    env: dict[str, str] = {}
    cwd: Path | None = None
    run_as_user: str | None = None
    stop_signal: int = signal.SIGTERM


class ModelProcessRecord(BaseModel):
    """What `up` remembers about a process it started, so `down` stops exactly that."""

    model_config = ConfigDict(frozen=True)

    component: str
    pid: int
    executable: str
    ports: list[int]
    log_path: Path
    stop_signal: int
    started_at: float


@dataclass(frozen=True)
class _Child:
    """A process this invocation started: the record that state.json keeps, and its handle."""

    record: ModelProcessRecord
    handle: subprocess.Popen[bytes]


class _Children:
    """The processes this invocation started. Callers hold only the record (it is what state.json
    stores and what a later invocation sees), so the handles are kept here, found by the record."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # components start from parallel threads
        self._children: dict[tuple[int, float], _Child] = {}

    def add(self, child: _Child) -> None:
        with self._lock:
            self._children[child.record.pid, child.record.started_at] = child

    def handle(self, record: ModelProcessRecord) -> subprocess.Popen[bytes] | None:
        with self._lock:
            child = self._children.get((record.pid, record.started_at))
        # a record that differs (say, another executable on the same pid) is not the one we started
        return child.handle if child is not None and child.record == record else None


_CHILDREN = _Children()


def spawn(component: str, launch: ModelLaunch, ports: list[int], log_path: Path) -> ModelProcessRecord:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    environment = {**os.environ, **launch.env}
    with log_path.open("ab") as log:
        log.write(f"\n--- started {time.strftime('%Y-%m-%dT%H:%M:%S')}: {launch.command[0]}\n".encode())
        log.flush()
        process = subprocess.Popen(
            launch.command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=launch.cwd,
            env=environment,
            start_new_session=True,  # survives the `up` command and is stopped as one group
            user=launch.run_as_user,
            group=launch.run_as_user,
            extra_groups=[] if launch.run_as_user else None,
        )
    record = ModelProcessRecord(
        component=component,
        pid=process.pid,
        executable=Path(launch.command[0]).name,
        ports=ports,
        log_path=log_path,
        stop_signal=launch.stop_signal,
        started_at=time.time(),
    )
    _CHILDREN.add(_Child(record=record, handle=process))
    return record


_PF_KTHREAD = 0x00200000  # include/linux/sched.h


@dataclass(frozen=True)
class _ProcStat:
    state: str
    kernel_thread: bool


def _proc_stat(pid: int) -> _ProcStat | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the fields follow the parenthesised command name, which may itself hold spaces: state is the
    # first of them, flags the seventh
    fields = stat.rsplit(")", 1)[1].split()
    return _ProcStat(state=fields[0], kernel_thread=bool(int(fields[6]) & _PF_KTHREAD))


def is_running(record: ModelProcessRecord) -> bool:
    handle = _CHILDREN.handle(record)
    if handle is not None:
        return handle.poll() is None
    return _recognised_in_proc(record)


def _recognised_in_proc(record: ModelProcessRecord) -> bool:
    """Whether the pid of a process an earlier invocation started still runs that program."""
    stat = _proc_stat(record.pid)
    # a kernel thread's command line is always empty: it is a recycled pid, never a starting program
    if stat is None or stat.state in {"Z", "X"} or stat.kernel_thread:
        return False
    try:
        cmdline = Path(f"/proc/{record.pid}/cmdline").read_bytes()
    except OSError:
        return False
    if not cmdline:
        # between exec and the new program's argument set-up (or while dying) the command line reads
        # empty; the next look tells, so this is "starting", never "exited"
        return True
    parts = cmdline.split(b"\0")[:3]
    return any(Path(part.decode(errors="replace")).name == record.executable for part in parts)


def exit_code(record: ModelProcessRecord) -> int | None:
    """The exit code (negative: the signal) of a process this invocation started and that has ended;
    None while it runs or when an earlier invocation started it."""
    handle = _CHILDREN.handle(record)
    return handle.poll() if handle is not None else None


def stop(record: ModelProcessRecord, timeout_seconds: float = 30.0) -> bool:
    """Stop the process group politely, then forcibly. Returns False when it was not running."""
    if not is_running(record):
        return False
    _signal_group(record.pid, record.stop_signal)
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if not is_running(record):
            return True
        time.sleep(0.2)
    _signal_group(record.pid, signal.SIGKILL)
    while is_running(record):
        time.sleep(0.1)
    return True


def _signal_group(pid: int, signum: int) -> None:
    try:
        os.killpg(pid, signum)
    except ProcessLookupError:
        return
    except PermissionError:
        os.kill(pid, signum)


def log_tail(path: Path, lines: int = 15) -> str:
    try:
        content = path.read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join(content[-lines:])
