from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from onex_operator.contracts.catalog import load_catalog
from onex_operator.contracts.contract_checks import check_catalog

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]

BASE: dict[str, object] = {
    "contract_version": "1.0.0",
    "node_name": "demo_adapter",
    "node_version": "0.1.0",
    "contract_name": "demo_contract",
    "description": "A demo node.",
    "node_type": "EFFECT",
    "input_model": "ModelDemoSpec",
    "output_model": "ModelDemoStatus",
    "dependencies": [],
    "io_operations": [{"name": "touch", "description": "Touch it.", "timeout_seconds": 5}],
    "definitions": {
        "ModelDemoSpec": {
            "type": "object",
            "description": "Spec.",
            "properties": {"size": {"type": "integer", "description": "How big.", "default": 1}},
        },
        "ModelDemoStatus": {
            "type": "object",
            "description": "Status.",
            "properties": {"seen": {"type": "boolean", "description": "Seen."}},
        },
    },
}


def _messages(tmp_path: Path, **changes: object) -> list[str]:
    contract = copy.deepcopy(BASE)
    contract.update(changes)
    folder = tmp_path / str(contract["node_name"])
    folder.mkdir(parents=True)
    (folder / "contract.yaml").write_text(yaml.safe_dump(contract))
    catalog, issues = load_catalog(tmp_path)
    return [str(issue) for issue in issues + check_catalog(catalog)]


def _definitions(**overrides: object) -> dict[str, object]:
    definitions = copy.deepcopy(BASE["definitions"])
    assert isinstance(definitions, dict)
    definitions.update(overrides)
    return definitions


def _spec_messages(tmp_path: Path, properties: dict[str, object], **extra: object) -> list[str]:
    """Messages for the base contract with ModelDemoSpec replaced by an object of these properties."""
    spec = {"type": "object", "description": "Spec.", "properties": properties, **extra}
    return _messages(tmp_path, definitions=_definitions(ModelDemoSpec=spec))


def test_the_project_contracts_are_valid() -> None:
    catalog, issues = load_catalog(ROOT / "contracts")
    assert issues == []
    assert check_catalog(catalog) == []
    assert set(catalog.contracts) == {
        "kafka_adapter", "consul_adapter", "vault_adapter", "postgres_adapter",
        "connection_resolver", "infrastructure_reducer", "infrastructure_orchestrator",
    }  # fmt: skip


def test_a_minimal_contract_is_valid(tmp_path: Path) -> None:
    assert _messages(tmp_path) == []


def test_an_effect_node_declares_io_operations(tmp_path: Path) -> None:
    assert any("must declare its io_operations" in m for m in _messages(tmp_path, io_operations=[]))


def test_only_effect_nodes_perform_io(tmp_path: Path) -> None:
    assert any("only EFFECT nodes perform I/O" in m for m in _messages(tmp_path, node_type="REDUCER"))


def test_a_missing_root_field_is_named(tmp_path: Path) -> None:
    contract = copy.deepcopy(BASE)
    del contract["contract_name"]
    folder = tmp_path / "demo_adapter"
    folder.mkdir()
    (folder / "contract.yaml").write_text(yaml.safe_dump(contract))
    _, issues = load_catalog(tmp_path)
    assert [(issue.path, issue.message) for issue in issues] == [("contract_name", "Field required")]


def test_node_name_matches_its_folder(tmp_path: Path) -> None:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "contract.yaml").write_text(yaml.safe_dump(BASE))
    _, issues = load_catalog(tmp_path)
    assert any("directory name" in issue.message for issue in issues)


def test_every_field_has_a_description(tmp_path: Path) -> None:
    messages = _spec_messages(tmp_path, {"size": {"type": "integer"}})
    assert any(
        "definitions.ModelDemoSpec.properties.size: every field needs a description" in m for m in messages
    )


def test_references_must_resolve(tmp_path: Path) -> None:
    messages = _spec_messages(
        tmp_path, {"ref": {"$ref": "#/definitions/ModelNowhere", "description": "Nowhere."}}
    )
    assert any("no definition 'ModelNowhere'" in m for m in messages)


def test_cross_contract_references_need_a_dependency(tmp_path: Path) -> None:
    definitions = _definitions()
    other = copy.deepcopy(BASE) | {
        "node_name": "other_adapter",
        "definitions": {
            "ModelOtherSpec": definitions["ModelDemoSpec"],
            "ModelOtherStatus": definitions["ModelDemoStatus"],
        },
        "input_model": "ModelOtherSpec",
        "output_model": "ModelOtherStatus",
    }
    (tmp_path / "other_adapter").mkdir()
    (tmp_path / "other_adapter" / "contract.yaml").write_text(yaml.safe_dump(other))
    messages = _spec_messages(
        tmp_path, {"other": {"$ref": "other_adapter#/definitions/ModelOtherSpec", "description": "Other."}}
    )
    assert any("not a contract dependency" in m for m in messages)


def test_reference_cycles_are_reported(tmp_path: Path) -> None:
    messages = _spec_messages(
        tmp_path, {"again": {"$ref": "#/definitions/ModelDemoSpec", "description": "Loop."}}
    )
    assert any("reference cycle" in m for m in messages)


def test_defaults_must_be_valid(tmp_path: Path) -> None:
    messages = _spec_messages(
        tmp_path, {"size": {"type": "integer", "description": "How big.", "minimum": 1, "default": 0}}
    )
    assert any("default is invalid" in m for m in messages)


def test_cel_rules_must_compile(tmp_path: Path) -> None:
    messages = _spec_messages(
        tmp_path,
        {"size": {"type": "integer", "description": "How big."}},
        **{"x-kubernetes-validations": [{"rule": "self.size >", "message": "broken"}]},
    )
    assert any("CEL rule does not compile" in m for m in messages)


def test_inline_objects_must_be_named_definitions(tmp_path: Path) -> None:
    inner = {
        "type": "object",
        "description": "Inner.",
        "properties": {"x": {"type": "string", "description": "X."}},
    }
    messages = _spec_messages(tmp_path, {"inner": inner})
    assert any("make it a Model* definition" in m for m in messages)


def test_definition_names_follow_the_conventions(tmp_path: Path) -> None:
    definitions = _definitions(DemoThing={"type": "string", "description": "Thing."})
    messages = _messages(tmp_path, definitions=definitions)
    assert any("start with Model (objects) or Enum (string enums)" in m for m in messages)


def test_list_map_keys_must_be_required(tmp_path: Path) -> None:
    item = {
        "type": "object",
        "description": "Item.",
        "properties": {"id": {"type": "string", "description": "Id."}},
    }
    spec = {
        "type": "object",
        "description": "Spec.",
        "properties": {
            "items": {
                "type": "array",
                "description": "Items.",
                "x-kubernetes-list-type": "map",
                "x-kubernetes-list-map-keys": ["id"],
                "items": {"$ref": "#/definitions/ModelDemoItem"},
            }
        },
    }
    messages = _messages(tmp_path, definitions=_definitions(ModelDemoSpec=spec, ModelDemoItem=item))
    assert any("list map key 'id' must be a required or defaulted property" in m for m in messages)


def test_kinds_need_the_onex_category(tmp_path: Path) -> None:
    kubernetes = {
        "group": "infra.onex.dev",
        "version": "v1alpha1",
        "resources": [
            {
                "kind": "Demo",
                "plural": "demos",
                "singular": "demo",
                "categories": ["other"],
                "scope": "Namespaced",
                "description": "A demo.",
                "spec_model": "ModelDemoSpec",
                "status_model": "ModelDemoStatus",
            }
        ],
    }
    assert any("categories must include 'onex'" in m for m in _messages(tmp_path, kubernetes=kubernetes))
