"""Steps every operator benchmark takes: waiting for Ready and for reconciles with progress lines,
CPU time by process, and clean-up steps that never stop the clean-up. Each takes the benchmark's
`say` (its progress lines carry the benchmark's name)."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable
from types import FrameType

from _bench_kube import ReadyWatch
from _bench_operator import OperatorProcess, total
from _bench_proc import cpu_seconds, group_cpu_seconds, machine_busy_seconds

Say = Callable[[str], None]
RECONCILES = "onex_reconciles_total"


def progress(name: str) -> Say:
    """A `say` that writes progress lines `[name] ...` to stderr (the report goes to stdout)."""

    def say(message: str) -> None:
        print(f"[{name}] {message}", file=sys.stderr, flush=True)

    return say


def attempt(what: str, step: Callable[[], None], say: Say) -> None:
    """One clean-up step; a failure is reported and the next step still runs."""
    try:
        step()
    except Exception as error:  # noqa: BLE001 - the clean-up goes on whatever failed
        say(f"could not {what}: {type(error).__name__}: {error}")


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def interrupt_on_sigterm() -> None:
    """SIGTERM ends the benchmark like Ctrl-C does: through its clean-up."""
    signal.signal(signal.SIGTERM, _interrupt)


def wait_all_ready(
    watcher: ReadyWatch, count: int, started: float, timeout: float, label: str, *, say: Say
) -> float | None:
    """Seconds from `started` until the watch has seen `count` resources Ready; None after `timeout`."""
    next_report = started + 5
    while True:
        times = watcher.ready_times()
        now = time.monotonic()
        if len(times) >= count:
            return times[-1] - started
        if now - started > timeout:
            return None
        if now >= next_report:
            say(f"{label}: {len(times)}/{count} Ready after {now - started:.1f}s")
            next_report = now + 5
        time.sleep(0.2)


def wait_reconciles(operator: OperatorProcess, at_least: int, timeout: float, what: str, say: Say) -> bool:
    """Wait until the operator has counted `at_least` reconciles; False after `timeout`."""
    started = time.monotonic()
    next_report = started + 5
    while (done := total(operator.metrics(), RECONCILES)) < at_least:
        now = time.monotonic()
        if now - started > timeout:
            say(f"{what}: only {done}/{at_least} reconciles after {timeout:.0f}s; measuring anyway")
            return False
        if now >= next_report:
            say(f"{what}: {done}/{at_least} reconciles")
            next_report += 5
        time.sleep(0.5)
    return True


def cpu_snapshot(operator_pid: int, components: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of the operator, of each test-bed component (by process group leader),
    of this benchmark, and of the whole machine."""
    snapshot = {"operator": cpu_seconds(operator_pid)}
    snapshot |= {name: group_cpu_seconds(pid) for name, pid in components.items()}
    own = os.times()
    snapshot["benchmark"] = own.user + own.system
    snapshot["machine"] = machine_busy_seconds()
    return snapshot


def cpu_used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """CPU seconds by process between two snapshots; `other`: the rest of the machine (other users
    of the test-bed, the system)."""
    used = {name: after[name] - before[name] for name in before}
    machine = used.pop("machine")
    used["other"] = max(0.0, machine - sum(used.values()))
    return used
