"""The chart ships the same CRDs as crds/ (the generator writes both) and kopf's peering CRDs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "charts" / "onex-infra-operator"


def test_chart_crds_equal_the_generated_ones() -> None:
    generated = {path.name: path.read_text() for path in (ROOT / "crds").glob("*.yaml")}
    shipped = {path.name: path.read_text() for path in (CHART / "crds").glob("infra.onex.dev_*.yaml")}
    assert generated, "crds/ is empty"
    assert shipped == generated, "run `onex-infra contracts generate`: it writes both folders"


def test_kopf_peering_crds_are_shipped() -> None:
    documents = list(yaml.safe_load_all((CHART / "crds" / "kopf.dev_peerings.yaml").read_text()))
    names = {(doc["metadata"]["name"], doc["spec"]["scope"]) for doc in documents}
    assert names == {("clusterkopfpeerings.kopf.dev", "Cluster"), ("kopfpeerings.kopf.dev", "Namespaced")}
    for doc in documents:
        # kopf patches the peering's status on the object itself: no status subresource
        assert "subresources" not in doc["spec"]["versions"][0]


def test_values_examples_and_schema_are_well_formed() -> None:
    schema = json.loads((CHART / "values.schema.json").read_text())
    defaults = yaml.safe_load((CHART / "values.yaml").read_text())
    assert set(defaults) <= set(schema["properties"])
    for example in (CHART / "examples").glob("*.yaml"):
        values = yaml.safe_load(example.read_text())
        assert isinstance(values, dict) and set(values) <= set(schema["properties"]), example.name
