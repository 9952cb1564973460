"""The one error the test-bed raises: it names the component and where its log is."""

from __future__ import annotations

from pathlib import Path


class TestbedError(Exception):
    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, component: str, message: str, log_path: Path | None = None) -> None:
        self.component = component
        self.log_path = log_path
        where = f" (log: {log_path})" if log_path is not None else ""
        super().__init__(f"{component}: {message}{where}")
