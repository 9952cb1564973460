"""Formatting generated Python as the project's ruff does, so `generate --check` is stable."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path


class FormatterError(RuntimeError):
    """ruff is missing or refused the generated source."""


def _ruff(args: list[str], config: Path) -> None:
    # The scratch folder is outside the source roots, so ruff must be told what is first-party.
    first_party = "lint.isort.known-first-party = ['onex_operator']"
    command = [sys.executable, "-m", "ruff", *args, "--config", str(config), "--config", first_party]
    try:
        subprocess.run(command, check=True, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError) as error:
        detail = getattr(error, "stderr", "") or str(error)
        raise FormatterError(f"ruff failed on generated code: {detail}") from error


def format_sources(sources: dict[str, str], pyproject: Path) -> dict[str, str]:
    """Sort imports and format every source (name -> text) in one ruff run per step."""
    with tempfile.TemporaryDirectory(prefix="onex-generate-") as scratch:
        folder = Path(scratch)
        for name, text in sources.items():
            (folder / name).write_text(text, encoding="utf-8")
        _ruff(["check", "--fix", "--select", "I,F401", "--exit-zero", "--quiet", str(folder)], pyproject)
        _ruff(["format", "--quiet", str(folder)], pyproject)
        return {name: (folder / name).read_text(encoding="utf-8") for name in sources}
