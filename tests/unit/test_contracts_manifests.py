from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from onex_operator.contracts.catalog import load_catalog
from onex_operator.contracts.cel_rules import evaluate_rules
from onex_operator.contracts.manifest_validation import ManifestValidator
from onex_operator.contracts.model_schema import ModelSchema

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
INVALID = list(yaml.safe_load_all((ROOT / "contracts/testdata/invalid-manifests.yaml").read_text()))
TOPIC = {
    "apiVersion": "infra.onex.dev/v1alpha1",
    "kind": "KafkaTopic",
    "metadata": {"name": "orders", "namespace": "team"},
    "spec": {"partitions": 3},
}


@pytest.fixture(scope="module")
def validator() -> ManifestValidator:
    catalog, issues = load_catalog(ROOT / "contracts")
    assert issues == []
    return ManifestValidator(catalog)


@pytest.mark.parametrize("document", INVALID, ids=[d["metadata"]["name"] for d in INVALID])
def test_each_invalid_manifest_names_its_field(
    validator: ManifestValidator, document: dict[str, object]
) -> None:
    field = document["metadata"]["annotations"]["test.onex.dev/expect-field"]
    errors = validator.validate(document)
    assert any(error.path.startswith(field) for error in errors), errors


def test_examples_are_valid(validator: ManifestValidator) -> None:
    for path in sorted((ROOT / "contracts/examples").glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            assert validator.validate(document) == [], path.name


def test_defaults_are_applied_before_rules(validator: ManifestValidator) -> None:
    known = validator.kind_for(TOPIC)
    assert known is not None
    spec = validator.prepare(copy.deepcopy(TOPIC), known)["spec"]
    assert spec == {
        "partitions": 3,
        "connectionRef": {"kind": "InfraConnection", "name": "default"},
        "managementPolicy": "Manage",
        "adopt": False,
        "deletionPolicy": "Retain",
        "pruneConfig": True,
    }


def test_a_null_is_pruned_and_replaced_by_the_default(validator: ManifestValidator) -> None:
    topic = copy.deepcopy(TOPIC)
    topic["spec"]["deletionPolicy"] = None
    known = validator.kind_for(topic)
    assert known is not None
    assert validator.prepare(topic, known)["spec"]["deletionPolicy"] == "Retain"
    assert validator.validate(topic) == []


def test_status_in_a_manifest_is_ignored_as_the_status_subresource_does(validator: ManifestValidator) -> None:
    assert validator.validate({**TOPIC, "status": {"partitions": "not even a number"}}) == []


def test_type_errors_stop_cel_rules_like_the_apiserver(validator: ManifestValidator) -> None:
    errors = validator.validate({**TOPIC, "spec": {"partitions": "3"}})
    assert errors[0].path == "spec.partitions"
    assert "must be of type integer" in errors[0].message
    assert "not checked" in errors[-1].message


def test_transition_rules_run_only_on_update(validator: ManifestValidator) -> None:
    renamed = {**TOPIC, "spec": {"partitions": 3, "topicName": "other"}}
    assert validator.validate(renamed) == []
    errors = validator.validate(renamed, old=TOPIC)
    assert [(e.path, "immutable" in e.message) for e in errors] == [("spec.topicName", True)]


def test_unknown_kinds_and_versions_are_reported(validator: ManifestValidator) -> None:
    errors = validator.validate({**TOPIC, "apiVersion": "infra.onex.dev/v1"})
    assert errors[0].path == "kind"
    assert "v1" in errors[0].message


def test_metadata_must_name_the_object(validator: ManifestValidator) -> None:
    errors = validator.validate({**TOPIC, "metadata": {"namespace": "team", "lables": {}}})
    assert {e.path for e in errors} == {"metadata.name", "metadata.lables"}


def test_cel_errors_on_missing_keys_reject_like_the_apiserver() -> None:
    # A rule reading an absent field fails evaluation; the apiserver rejects the object too.
    schema = ModelSchema.model_validate(
        {"type": "object", "x-kubernetes-validations": [{"rule": "self.missing == 1", "message": "m"}]}
    )
    errors = evaluate_rules({"present": 1}, None, schema, "spec")
    assert errors[0].path == "spec"
    assert "evaluating rule" in errors[0].message
