from __future__ import annotations

import ast
import shutil
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from onex_operator.cli import main
from onex_operator.contracts.catalog import load_catalog
from onex_operator.contracts.generate import differing_files, generated_files
from onex_operator.models import node_contracts
from onex_operator.models.model_node_runtime_contract import ModelNodeRuntimeContract
from onex_operator.models.node_contracts import NODE_CONTRACTS, node_contract, operation_timeout
from onex_operator.nodes import contract_io

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = "operator/onex_operator/models/node_contracts.py"
RUNTIME_MODEL = "operator/onex_operator/models/model_node_runtime_contract.py"


def test_the_registry_equals_the_contract_files() -> None:
    catalog, issues = load_catalog(ROOT / "contracts")
    assert issues == []
    assert sorted(NODE_CONTRACTS) == sorted(catalog.contracts)
    for name, contract in catalog.contracts.items():
        assert NODE_CONTRACTS[name] == ModelNodeRuntimeContract(
            node_name=contract.node_name,
            node_version=contract.node_version,
            contract_version=contract.contract_version,
            contract_name=contract.contract_name,
            node_type=contract.node_type.value,
            io_timeouts={io.name: io.timeout_seconds for io in contract.io_operations},
        )


def test_known_values() -> None:
    kafka = node_contract("kafka_adapter")
    assert kafka.node_type == "EFFECT"
    assert kafka.contract_name == "kafka_topic_contract"
    assert kafka.contract_version == "1.0.0"
    assert operation_timeout("kafka_adapter", "describe_configs") == 15.0
    assert operation_timeout("kafka_adapter", "create_topics") == 30.0
    assert operation_timeout("postgres_adapter", "apply_migration") == 300.0
    assert node_contract("infrastructure_reducer").io_timeouts == {}


def test_contract_io_serves_the_generated_registry() -> None:
    assert contract_io.operation_timeout("kafka_adapter", "describe_configs") == 15.0
    assert contract_io.node_contract("vault_adapter") is NODE_CONTRACTS["vault_adapter"]


def test_unknown_node_raises_naming_it() -> None:
    with pytest.raises(KeyError, match=r"no node contract named 'kafka'.*kafka_adapter"):
        operation_timeout("kafka", "describe_configs")
    with pytest.raises(KeyError, match="'nope'"):
        contract_io.node_contract("nope")


def test_unknown_operation_raises_naming_node_and_operation() -> None:
    with pytest.raises(KeyError, match=r"'kafka_adapter'.*'describe_config'.*describe_configs"):
        contract_io.operation_timeout("kafka_adapter", "describe_config")
    with pytest.raises(KeyError, match=r"'infrastructure_reducer'.*'observe'.*declares: none"):
        operation_timeout("infrastructure_reducer", "observe")


def test_the_registry_is_read_only() -> None:
    with pytest.raises(TypeError):
        NODE_CONTRACTS["kafka_adapter"] = NODE_CONTRACTS["vault_adapter"]  # type: ignore[index]


def _imported_modules(module: ModuleType) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            names.add(node.module or "")
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("module", [node_contracts, contract_io], ids=lambda module: module.__name__)
def test_nothing_reads_contract_files_at_runtime(module: ModuleType) -> None:
    for name in _imported_modules(module):
        assert name.split(".")[0] not in {"pathlib", "os", "io", "yaml", "importlib"}, name
        assert not name.startswith("onex_operator.contracts"), name


def test_generate_check_stays_clean() -> None:
    catalog, _ = load_catalog(ROOT / "contracts")
    files = generated_files(ROOT, catalog)
    assert {REGISTRY, RUNTIME_MODEL} <= {file.path.as_posix() for file in files}
    assert differing_files(ROOT, files) == []


def test_a_changed_timeout_makes_only_the_registry_stale(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(ROOT / "contracts", tmp_path / "contracts")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    argv = ["contracts", "--root", str(tmp_path), "generate"]
    assert main(argv) == 0
    assert (tmp_path / REGISTRY).read_text() == (ROOT / REGISTRY).read_text()

    contract = tmp_path / "contracts/kafka_adapter/contract.yaml"
    raw = yaml.safe_load(contract.read_text())
    [describe_configs] = [io for io in raw["io_operations"] if io["name"] == "describe_configs"]
    describe_configs["timeout_seconds"] = 20
    contract.write_text(yaml.safe_dump(raw, sort_keys=False))
    capsys.readouterr()
    assert main([*argv, "--check"]) == 1
    assert capsys.readouterr().out.splitlines() == [f"out of date: {REGISTRY}"]
    assert main(argv) == 0
    assert '"describe_configs": 20.0' in (tmp_path / REGISTRY).read_text()
