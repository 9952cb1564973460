"""Start, recognise and stop the test-bed's processes by pid.

A pid alone can be recycled, so a process counts as ours only while its command line still names
the executable we started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
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
    return ModelProcessRecord(
        component=component,
        pid=process.pid,
        executable=Path(launch.command[0]).name,
        ports=ports,
        log_path=log_path,
        stop_signal=launch.stop_signal,
        started_at=time.time(),
    )


def _proc_state(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the state letter follows the parenthesised command name, which may itself hold spaces
    return stat.rsplit(")", 1)[1].split()[0]


def is_running(record: ModelProcessRecord) -> bool:
    state = _proc_state(record.pid)
    if state is None or state in {"Z", "X"}:
        return False
    try:
        cmdline = Path(f"/proc/{record.pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return any(Path(part.decode(errors="replace")).name == record.executable for part in cmdline[:3])


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
