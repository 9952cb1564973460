from __future__ import annotations

import ast
import importlib
import inspect
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from onex_operator.cli import main
from onex_operator.contracts.python_literals import string_literal
from onex_operator.models.enum_deletion_policy import EnumDeletionPolicy
from onex_operator.models.model_kafka_topic_spec import ModelKafkaTopicSpec
from onex_operator.models.model_postgres_migration_spec import ModelPostgresMigrationSpec

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "operator/onex_operator/models"
CRDS = sorted((ROOT / "crds").glob("*.yaml"))


def test_committed_files_match_the_contracts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["contracts", "--root", str(ROOT), "generate", "--check"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_check_reports_drift_and_generate_repairs_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(ROOT / "contracts", tmp_path / "contracts")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    argv = ["contracts", "--root", str(tmp_path), "generate"]
    assert main(argv) == 0
    assert main([*argv, "--check"]) == 0

    crd = tmp_path / "crds/infra.onex.dev_kafkatopics.yaml"
    crd.write_text(crd.read_text().replace("okt", "kafka"))
    stale = tmp_path / "operator/onex_operator/models/model_gone.py"
    stale.write_text(f'"""{MODELS.joinpath("model_condition.py").read_text().splitlines()[0][3:]}\n"""\n')
    hand_written = tmp_path / "operator/onex_operator/models/notes.py"
    hand_written.write_text('"""Not generated."""\n')
    capsys.readouterr()

    assert main([*argv, "--check"]) == 1
    out = capsys.readouterr().out
    assert "out of date: crds/infra.onex.dev_kafkatopics.yaml" in out
    assert "out of date: operator/onex_operator/models/model_gone.py" in out

    assert main(argv) == 0
    assert main([*argv, "--check"]) == 0
    assert not stale.exists()
    assert hand_written.exists()


def test_invalid_contracts_generate_nothing(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "contracts", tmp_path / "contracts")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    contract = tmp_path / "contracts/kafka_adapter/contract.yaml"
    contract.write_text(contract.read_text().replace("node_type: EFFECT", "node_type: REDUCER"))
    assert main(["contracts", "--root", str(tmp_path), "generate"]) == 1
    assert not (tmp_path / "crds").exists()


def test_every_models_module_holds_one_model_or_enum() -> None:
    modules = sorted(path.stem for path in MODELS.glob("*.py") if path.stem.startswith(("model_", "enum_")))
    assert len(modules) > 40
    for name in modules:
        module = importlib.import_module(f"onex_operator.models.{name}")
        own = [
            obj for _, obj in inspect.getmembers(module, inspect.isclass) if obj.__module__ == module.__name__
        ]
        assert len(own) == 1, name
        prefix = "Model" if name.startswith("model_") else "Enum"
        assert own[0].__name__.startswith(prefix), name


@pytest.mark.parametrize("path", CRDS, ids=[p.name for p in CRDS])
def test_every_crd_is_complete(path: Path) -> None:
    crd = yaml.safe_load(path.read_text())
    names = crd["spec"]["names"]
    version = crd["spec"]["versions"][0]
    assert "onex" in names["categories"]
    assert names["shortNames"]
    assert version["subresources"] == {"status": {}}
    columns = [column["name"] for column in version["additionalPrinterColumns"]]
    assert columns[-4:] == ["Ready", "Reason", "Message", "Age"]
    schema = version["schema"]["openAPIV3Schema"]
    status = schema["properties"]["status"]["properties"]
    assert status["kopf"]["x-kubernetes-preserve-unknown-fields"] is True
    assert {"observedGeneration", "conditions", "lastError"} <= status.keys()

    def described(node: dict[str, object], where: str) -> None:
        for name, prop in node.get("properties", {}).items():  # type: ignore[attr-defined]
            if where or name != "metadata":
                assert prop.get("description"), f"{path.name}: {where}{name} has no description"
            described(prop, f"{where}{name}.")
        if isinstance(node.get("items"), dict):
            described(node["items"], where)  # type: ignore[arg-type]

    described(schema, "")


def test_generated_models_apply_contract_defaults_and_aliases() -> None:
    spec = ModelKafkaTopicSpec.model_validate({"partitions": 3, "config": {"retention.ms": "1000"}})
    assert spec.deletion_policy is EnumDeletionPolicy.RETAIN
    assert spec.connection_ref.name == "default"
    assert spec.prune_config is True
    dumped = spec.model_dump(mode="json", exclude_none=True)
    assert dumped["deletionPolicy"] == "Retain"
    assert dumped["connectionRef"] == {"kind": "InfraConnection", "name": "default"}


def test_generated_models_enforce_contract_constraints() -> None:
    with pytest.raises(ValidationError):
        ModelKafkaTopicSpec.model_validate({"replicationFactor": 0})
    with pytest.raises(ValidationError):
        ModelKafkaTopicSpec.model_validate({"partition": 3})
    migration = ModelPostgresMigrationSpec.model_validate({"database": "onex", "schema": "app"})
    assert migration.schema_ == "app"
    assert issubclass(ModelPostgresMigrationSpec, BaseModel)


@given(st.text(max_size=300))
def test_string_literals_round_trip(text: str) -> None:
    assert ast.literal_eval(string_literal(text)) == text


@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=600))
def test_string_literals_of_contract_text_fit_the_line_length(text: str) -> None:
    # Descriptions and patterns are printable ASCII; escapes of other text may run longer.
    assert all(len(line) <= 100 for line in string_literal(text).splitlines())
