"""The test-bed's record of the processes it started (run_dir/state.json)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import TypeAdapter

from onex_operator.testbed.processes import ModelProcessRecord

_RECORDS = TypeAdapter(dict[str, ModelProcessRecord])


class ProcessState:
    def __init__(self, path: Path) -> None:
        self._path = path

    def load(self) -> dict[str, ModelProcessRecord]:
        if not self._path.exists():
            return {}
        return _RECORDS.validate_json(self._path.read_bytes())

    def save(self, records: dict[str, ModelProcessRecord]) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        staging = self._path.with_suffix(".tmp")
        staging.write_text(json.dumps(_RECORDS.dump_python(records, mode="json"), indent=2))
        staging.replace(self._path)
