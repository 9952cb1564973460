"""Where the project's contracts, CRDs and models live."""

from __future__ import annotations

from pathlib import Path

CONTRACTS_DIR = Path("contracts")


class ProjectRootNotFoundError(LookupError):
    """No folder above the start holds contracts/ next to pyproject.toml."""


def find_project_root(start: Path) -> Path:
    for folder in [start, *start.parents]:
        if (folder / CONTRACTS_DIR).is_dir() and (folder / "pyproject.toml").is_file():
            return folder
    raise ProjectRootNotFoundError(
        f"no contracts/ with a pyproject.toml beside it above {start}; pass --root"
    )
