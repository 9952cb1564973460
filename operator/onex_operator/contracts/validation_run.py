"""`contracts validate`: contract files and custom-resource manifests, file by file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import JsonValue

from onex_operator.contracts.catalog import EXAMPLES_DIR, ContractCatalog, load_catalog, load_contract
from onex_operator.contracts.contract_checks import check_catalog
from onex_operator.contracts.manifest_validation import ManifestValidator
from onex_operator.contracts.model_validation_issue import ModelValidationIssue
from onex_operator.contracts.project import CONTRACTS_DIR
from onex_operator.contracts.yaml_source import load_documents

_YAML_SUFFIXES = frozenset({".yaml", ".yml"})


@dataclass
class ValidationReport:
    issues: list[ModelValidationIssue] = field(default_factory=list)
    files: int = 0
    documents_valid: int = 0
    # Documents of other API groups (a Namespace or Secret beside the resources) are not ours to judge.
    documents_skipped: int = 0

    @property
    def ok(self) -> bool:
        return not self.issues


def _expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in _YAML_SUFFIXES and p.is_file())
        else:
            files.append(path)
    return files


def _is_contract(documents: list[JsonValue]) -> bool:
    return len(documents) == 1 and isinstance(documents[0], dict) and "contract_version" in documents[0]


def _resource_label(document: JsonValue) -> str:
    if not isinstance(document, dict):
        return ""
    metadata = document.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    return f"{document.get('kind')}/{name}"


class ValidationRun:
    def __init__(self, root: Path) -> None:
        self._root = root
        self._catalog, load_issues = load_catalog(root / CONTRACTS_DIR)
        self._catalog_issues = load_issues + check_catalog(self._catalog)
        self._validator = ManifestValidator(self._catalog)

    def run(self, paths: list[Path]) -> ValidationReport:
        report = ValidationReport()
        # The catalog is always checked: manifests are judged by the schemas it generates.
        report.issues += self._catalog_issues
        if not paths:
            report.files += len(self._catalog.paths)
            paths = [self._root / CONTRACTS_DIR / EXAMPLES_DIR]
        for path in _expand(paths):
            report.files += 1
            self._file(path, report)
        return report

    def _file(self, path: Path, report: ValidationReport) -> None:
        try:
            documents = load_documents(path)
        except (OSError, ValueError, yaml.YAMLError) as error:
            report.issues.append(ModelValidationIssue(file=str(path), message=f"cannot read YAML: {error}"))
            return
        if _is_contract(documents):
            report.issues += self._contract(path)
            return
        for position, document in enumerate(documents):
            self._document(path, position, document, report)

    def _contract(self, path: Path) -> list[ModelValidationIssue]:
        """A contract file, checked together with the project's other contracts it may reference."""
        if path.resolve() in {known.resolve() for known in self._catalog.paths.values()}:
            return []  # already checked with the catalog
        contract, issues = load_contract(path)
        if contract is None:
            return issues
        catalog = ContractCatalog(
            contracts={**self._catalog.contracts, contract.node_name: contract},
            paths={**self._catalog.paths, contract.node_name: path},
        )
        return [issue for issue in check_catalog(catalog) if issue.file == str(path)]

    def _document(self, path: Path, position: int, document: JsonValue, report: ValidationReport) -> None:
        api_version = document.get("apiVersion") if isinstance(document, dict) else None
        group = api_version.split("/")[0] if isinstance(api_version, str) else None
        if group not in self._validator.groups:
            report.documents_skipped += 1
            return
        errors = self._validator.validate(document)
        label = _resource_label(document)
        report.issues += [
            ModelValidationIssue(
                file=str(path), document=position, resource=label, path=e.path, message=e.message
            )
            for e in errors
        ]
        report.documents_valid += not errors
