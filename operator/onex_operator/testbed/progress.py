"""Progress lines for long test-bed work, so nobody stares at a silent terminal.

A step prints when it starts and ends; while it runs, a heartbeat prints its latest detail (for
example "1204/2310 packages compiled") at a fixed interval, which also reads well in CI logs.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


def format_duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}m{rest:02d}s"


class StepProgress:
    """The running step's latest detail, read by the heartbeat."""

    def __init__(self) -> None:
        self._detail = ""
        self._lock = threading.Lock()

    def update(self, detail: str) -> None:
        with self._lock:
            self._detail = detail

    @property
    def detail(self) -> str:
        with self._lock:
            return self._detail


class Progress:
    def __init__(self, stream: TextIO | None = None, heartbeat_seconds: float = 10.0) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._heartbeat_seconds = heartbeat_seconds
        self._lock = threading.Lock()

    def say(self, component: str, message: str) -> None:
        with self._lock:
            print(f"[testbed] {component}: {message}", file=self._stream, flush=True)

    @contextmanager
    def step(self, component: str, action: str) -> Iterator[StepProgress]:
        state = StepProgress()
        started = time.monotonic()
        finished = threading.Event()

        def heartbeat() -> None:
            while not finished.wait(self._heartbeat_seconds):
                detail = state.detail
                suffix = f" - {detail}" if detail else ""
                elapsed = format_duration(time.monotonic() - started)
                self.say(component, f"{action}, {elapsed}{suffix}")

        self.say(component, f"{action} ...")
        beat = threading.Thread(target=heartbeat, name=f"progress-{component}", daemon=True)
        beat.start()
        try:
            yield state
        except BaseException:
            self.say(component, f"{action} FAILED after {format_duration(time.monotonic() - started)}")
            raise
        finally:
            finished.set()
            beat.join()
        self.say(component, f"{action} done in {format_duration(time.monotonic() - started)}")
