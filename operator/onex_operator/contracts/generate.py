"""Everything `contracts generate` produces: crds/*.yaml (and the same files in the Helm chart's
crds/ folder) and operator/onex_operator/models/*.py (the typed models and the node registry,
node_contracts.py).

Only files carrying the generated header are ever overwritten or removed, so a hand-written file
that lands in those folders is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from onex_operator.contracts.catalog import ContractCatalog
from onex_operator.contracts.crd_builder import build_crd
from onex_operator.contracts.model_codegen import ModelGenerator
from onex_operator.contracts.naming import GENERATED_NOTICE
from onex_operator.contracts.node_registry_codegen import registry_sources
from onex_operator.contracts.resolver import SchemaResolver
from onex_operator.contracts.ruff_format import format_sources

CRDS_DIR = Path("crds")
# the chart installs the same CRDs (beside kopf's peering CRDs, which are not generated)
CHART_CRDS_DIR = Path("charts/onex-infra-operator/crds")
MODELS_DIR = Path("operator/onex_operator/models")
_MARKERS = (f"# {GENERATED_NOTICE}", f'"""{GENERATED_NOTICE}')
_MODELS_INIT = (
    f'"""{GENERATED_NOTICE}\n\n'
    "The typed models of the API, from contracts/*/contract.yaml: one class per module\n"
    "(`Model*` in model_*.py, `Enum*` in enum_*.py), and node_contracts.py: every node's\n"
    'identity, type and I/O timeouts, for the running operator.\n"""\n'
)


@dataclass(frozen=True)
class GeneratedFile:
    path: Path  # relative to the project root
    text: str


def _crd_files(catalog: ContractCatalog) -> list[GeneratedFile]:
    resolver = SchemaResolver(catalog)
    files: list[GeneratedFile] = []
    for node_name, contract in sorted(catalog.contracts.items()):
        section = contract.kubernetes
        if section is None:
            continue
        for resource in section.resources:
            crd = build_crd(resolver, contract, section, resource)
            header = f"# {GENERATED_NOTICE}\n# Source: contracts/{node_name}/contract.yaml\n"
            body = yaml.safe_dump(crd, sort_keys=False, width=10_000, allow_unicode=True)
            name = f"{section.group}_{resource.plural}.yaml"
            files.append(GeneratedFile(CRDS_DIR / name, header + body))
            files.append(GeneratedFile(CHART_CRDS_DIR / name, header + body))
    return files


def _model_files(catalog: ContractCatalog, pyproject: Path) -> list[GeneratedFile]:
    generated = ModelGenerator(catalog).generate() + registry_sources(catalog)
    sources = {f"{source.module}.py": source.text for source in generated}
    sources["__init__.py"] = _MODELS_INIT
    formatted = format_sources(sources, pyproject)
    return [GeneratedFile(MODELS_DIR / name, text) for name, text in sorted(formatted.items())]


def generated_files(root: Path, catalog: ContractCatalog) -> list[GeneratedFile]:
    return _crd_files(catalog) + _model_files(catalog, root / "pyproject.toml")


def _is_generated(path: Path) -> bool:
    try:
        head = path.read_text(encoding="utf-8")[:128]
    except (OSError, UnicodeDecodeError):
        return False
    return head.startswith(_MARKERS)


def stale_files(root: Path, files: list[GeneratedFile]) -> list[Path]:
    """Generated files on disk that the contracts no longer produce."""
    wanted = {file.path for file in files}
    candidates = [
        *(root / CRDS_DIR).glob("*.yaml"),
        *(root / CHART_CRDS_DIR).glob("*.yaml"),
        *(root / MODELS_DIR).glob("*.py"),
    ]
    return sorted(
        path.relative_to(root)
        for path in candidates
        if path.relative_to(root) not in wanted and _is_generated(path)
    )


def differing_files(root: Path, files: list[GeneratedFile]) -> list[Path]:
    """Files whose content on disk is not what the contracts generate (missing ones included)."""
    differing = []
    for file in files:
        target = root / file.path
        if not target.is_file() or target.read_text(encoding="utf-8") != file.text:
            differing.append(file.path)
    return differing + stale_files(root, files)


def write_files(root: Path, files: list[GeneratedFile]) -> list[Path]:
    """Write what differs, remove what is stale; returns the paths changed."""
    changed = differing_files(root, files)
    by_path = {file.path: file for file in files}
    for path in changed:
        target = root / path
        if path in by_path:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(by_path[path].text, encoding="utf-8")
        else:
            target.unlink()
    return changed
