"""The set of node contracts under contracts/, loaded and indexed by node name."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from onex_operator.contracts.model_node_contract import ModelNodeContract
from onex_operator.contracts.model_schema import ModelSchema
from onex_operator.contracts.model_validation_issue import ModelValidationIssue
from onex_operator.contracts.yaml_source import load_mapping

CONTRACT_FILE = "contract.yaml"
EXAMPLES_DIR = "examples"


class ContractReferenceError(ValueError):
    """A `$ref` or `extends` that does not name an existing definition."""


def _location(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc)


@dataclass
class ContractCatalog:
    """Every contract by node name, with the file it came from."""

    contracts: dict[str, ModelNodeContract] = field(default_factory=dict)
    paths: dict[str, Path] = field(default_factory=dict)

    def definition(self, node_name: str, name: str) -> ModelSchema:
        contract = self.contracts.get(node_name)
        if contract is None:
            raise ContractReferenceError(f"no contract named {node_name!r}")
        schema = contract.definitions.get(name)
        if schema is None:
            raise ContractReferenceError(f"contract {node_name!r} has no definition {name!r}")
        return schema


def contract_paths(contracts_dir: Path) -> list[Path]:
    return sorted(contracts_dir.glob(f"*/{CONTRACT_FILE}"))


def load_contract(path: Path) -> tuple[ModelNodeContract | None, list[ModelValidationIssue]]:
    try:
        raw = load_mapping(path)
    except (OSError, ValueError, yaml.YAMLError) as error:
        return None, [ModelValidationIssue(file=str(path), message=f"cannot read contract: {error}")]
    try:
        return ModelNodeContract.model_validate(raw), []
    except ValidationError as error:
        issues = [
            ModelValidationIssue(file=str(path), path=_location(detail["loc"]), message=detail["msg"])
            for detail in error.errors()
        ]
        return None, issues


def load_catalog(contracts_dir: Path) -> tuple[ContractCatalog, list[ModelValidationIssue]]:
    catalog = ContractCatalog()
    issues: list[ModelValidationIssue] = []
    for path in contract_paths(contracts_dir):
        contract, found = load_contract(path)
        issues += found
        if contract is None:
            continue
        if contract.node_name != path.parent.name:
            issues.append(
                ModelValidationIssue(
                    file=str(path),
                    path="node_name",
                    message=f"must equal the directory name {path.parent.name!r}",
                )
            )
        catalog.contracts[contract.node_name] = contract
        catalog.paths[contract.node_name] = path
    return catalog, issues
