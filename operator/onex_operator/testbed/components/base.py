"""What every test-bed component provides, and what it is given."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from onex_operator.testbed.credentials import ModelTestbedCredentials
from onex_operator.testbed.processes import ModelLaunch
from onex_operator.testbed.progress import Progress
from onex_operator.testbed.settings import ModelTestbedSettings


@dataclass(frozen=True)
class TestbedContext:
    __test__ = False  # not a pytest test class, despite the name

    settings: ModelTestbedSettings
    credentials: ModelTestbedCredentials
    progress: Progress

    def data_dir(self, component: str) -> Path:
        path = self.settings.run_dir / component
        path.mkdir(parents=True, exist_ok=True)
        return path


class ProtocolComponent(Protocol):
    name: str
    depends_on: tuple[str, ...]

    def ports(self) -> list[int]:
        """Ports the component listens on; all must be free before it starts."""
        ...

    def obtain(self) -> None:
        """Build or download what is missing (cached across runs)."""
        ...

    def prepare(self) -> None:
        """Write configuration and initialise data that needs no running process (idempotent)."""
        ...

    def launch(self) -> ModelLaunch:
        """The command that runs the component in the foreground."""
        ...

    def probe(self) -> str:
        """Raise `ProbeFailedError` unless the component answers a real request; return its version."""
        ...

    def after_ready(self) -> None:
        """One-time set-up that needs the running component (idempotent)."""
        ...

    def client_env(self) -> dict[str, str]:
        """Environment variables a client needs to reach the component."""
        ...
