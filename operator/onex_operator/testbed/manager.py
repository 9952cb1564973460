"""`up`, `down`, `status` and `env` over all components.

`up` obtains what is missing (one component at a time: builds share two cores), then starts
components in parallel as soon as what they depend on is ready, and returns when every component
answers its readiness probe. A component already running and healthy is reused.
"""

from __future__ import annotations

import fcntl
import shutil
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

from pydantic import BaseModel, ConfigDict

from onex_operator.testbed.components import all_components
from onex_operator.testbed.components.base import ProtocolComponent, TestbedContext
from onex_operator.testbed.credentials import load_or_create_credentials
from onex_operator.testbed.errors import TestbedError
from onex_operator.testbed.http_probe import ProbeFailedError, port_open
from onex_operator.testbed.processes import (
    ModelProcessRecord,
    exit_code,
    is_running,
    log_tail,
    spawn,
    stop,
)
from onex_operator.testbed.progress import Progress, format_duration
from onex_operator.testbed.settings import ModelTestbedSettings
from onex_operator.testbed.state import ProcessState


class ModelComponentStatus(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    pid: int | None
    ports: list[int]
    version: str | None
    health: str
    ready_seconds: float | None = None
    log_path: str | None = None


class TestbedFailedError(Exception):
    """One or more components failed; each message names the component and its log."""

    __test__ = False

    def __init__(self, failures: list[TestbedError]) -> None:
        self.failures = failures
        super().__init__("\n".join(str(failure) for failure in failures))


class Testbed:
    __test__ = False

    def __init__(self, settings: ModelTestbedSettings, progress: Progress | None = None) -> None:
        self.settings = settings
        self.progress = progress or Progress()
        settings.run_dir.mkdir(parents=True, exist_ok=True)
        self.context = TestbedContext(
            settings=settings,
            credentials=load_or_create_credentials(settings.run_dir / "credentials.json"),
            progress=self.progress,
        )
        self.components = all_components(self.context)
        self._state = ProcessState(settings.run_dir / "state.json")
        self._records_lock = threading.Lock()

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """One `up` or `down` at a time (make test and make demo may race)."""
        with (self.settings.run_dir / "testbed.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def up(self) -> list[ModelComponentStatus]:
        with self._exclusive():
            records = self._state.load()
            running = {name for name, record in records.items() if is_running(record)}
            for component in self.components:
                if component.name not in running:
                    component.obtain()
            results: dict[str, Future[ModelComponentStatus]] = {}
            with ThreadPoolExecutor(max_workers=len(self.components), thread_name_prefix="testbed") as pool:
                for component in self.components:
                    dependencies = [results[name] for name in component.depends_on]
                    results[component.name] = pool.submit(self._bring_up, component, dependencies, records)
            failures: list[TestbedError] = []
            statuses: list[ModelComponentStatus] = []
            for future in results.values():
                error = future.exception()
                if isinstance(error, TestbedError):
                    failures.append(error)
                elif error is not None:
                    raise error
                else:
                    statuses.append(future.result())
            if failures:
                raise TestbedFailedError(failures)
            return statuses

    def _bring_up(
        self,
        component: ProtocolComponent,
        dependencies: list[Future[ModelComponentStatus]],
        records: dict[str, ModelProcessRecord],
    ) -> ModelComponentStatus:
        for dependency in dependencies:
            if dependency.exception() is not None:
                raise TestbedError(component.name, "not started because a component it depends on failed")
        started = time.monotonic()
        record = records.get(component.name)
        if record is not None and is_running(record):
            version = self._wait_ready(component, record, started)
            self.progress.say(component.name, f"already running (pid {record.pid}), ready, version {version}")
        else:
            component.prepare()
            busy = [port for port in component.ports() if port_open(port)]
            if busy:
                raise TestbedError(
                    component.name,
                    f"port(s) {busy} already in use by another program; stop it or choose other ports "
                    "with ONEX_TESTBED_PORT_* variables",
                )
            log_path = self.settings.logs_dir / f"{component.name}.log"
            record = spawn(component.name, component.launch(), component.ports(), log_path)
            # the readiness timeout is the process's own: `prepare` (initdb, key generation, storage
            # format) can take long on a busy machine and must not eat into it
            spawned = time.monotonic()
            with self._records_lock:
                records[component.name] = record
                self._state.save(records)
            version = self._wait_ready(component, record, spawned)
            component.after_ready()
            elapsed = time.monotonic() - started
            self.progress.say(
                component.name, f"ready in {format_duration(elapsed)} (pid {record.pid}, version {version})"
            )
        return ModelComponentStatus(
            name=component.name,
            pid=record.pid,
            ports=record.ports,
            version=version,
            health="ready",
            ready_seconds=time.monotonic() - started,
            log_path=str(record.log_path),
        )

    def _wait_ready(self, component: ProtocolComponent, record: ModelProcessRecord, since: float) -> str:
        deadline = since + self.settings.ready_timeout_seconds
        last_reason = "no answer yet"
        while time.monotonic() < deadline:
            if not is_running(record):
                code = exit_code(record)
                how = "exited" if code is None else f"exited with code {code}"
                raise TestbedError(
                    component.name,
                    f"{how} before it became ready; last log lines:\n{log_tail(record.log_path)}",
                    record.log_path,
                )
            try:
                return component.probe()
            except ProbeFailedError as reason:
                last_reason = str(reason)
            time.sleep(0.25)
        raise TestbedError(
            component.name,
            f"not ready after {self.settings.ready_timeout_seconds:.0f}s ({last_reason}); "
            f"last log lines:\n{log_tail(record.log_path)}",
            record.log_path,
        )

    def down(self, purge: bool = False) -> list[str]:
        """Stop exactly what `up` started (latest dependants first); returns what was stopped."""
        stopped: list[str] = []
        with self._exclusive():
            records = self._state.load()
            for component in reversed(self.components):
                record = records.pop(component.name, None)
                if record is not None and stop(record):
                    stopped.append(component.name)
                    self.progress.say(component.name, f"stopped (pid {record.pid})")
            self._state.save(records)
            if purge:
                for path in (self.settings.run_dir, self.settings.postgres_dir):
                    shutil.rmtree(path, ignore_errors=True)
                self.progress.say("testbed", "data removed (builds stay cached)")
        return stopped

    def stop_component(self, name: str) -> bool:
        """Stop one component (tests of outages); a later `up` starts it again."""
        with self._exclusive():
            records = self._state.load()
            record = records.pop(name, None)
            stopped = record is not None and stop(record)
            self._state.save(records)
        if stopped:
            self.progress.say(name, "stopped on request")
        return stopped

    def status(self) -> list[ModelComponentStatus]:
        records = self._state.load()
        statuses: list[ModelComponentStatus] = []
        for component in self.components:
            record = records.get(component.name)
            if record is None or not is_running(record):
                statuses.append(
                    ModelComponentStatus(
                        name=component.name, pid=None, ports=component.ports(), version=None, health="stopped"
                    )
                )
                continue
            try:
                version: str | None = component.probe()
                health = "ready"
            except ProbeFailedError as reason:
                version, health = None, f"not ready: {reason}"
            statuses.append(
                ModelComponentStatus(
                    name=component.name,
                    pid=record.pid,
                    ports=record.ports,
                    version=version,
                    health=health,
                    log_path=str(record.log_path),
                )
            )
        return statuses

    def client_env(self) -> dict[str, str]:
        variables: dict[str, str] = {}
        for component in self.components:
            variables.update(component.client_env())
        return variables
