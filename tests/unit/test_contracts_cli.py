from __future__ import annotations

from pathlib import Path

import pytest

from onex_operator.cli import main

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]

MANIFESTS = """\
apiVersion: v1
kind: Namespace
metadata:
  name: team
---
apiVersion: infra.onex.dev/v1alpha1
kind: KafkaTopic
metadata:
  name: orders
  namespace: team
spec:
  partitions: 0
"""


def _validate(*paths: Path) -> int:
    return main(["contracts", "--root", str(ROOT), "validate", *map(str, paths)])


def test_validate_without_paths_checks_contracts_and_examples(capsys: pytest.CaptureFixture[str]) -> None:
    assert _validate() == 0
    out = capsys.readouterr().out
    assert "6 resources valid" in out
    assert "0 problems" in out


def test_invalid_manifest_names_file_document_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "topics.yaml"
    path.write_text(MANIFESTS)
    assert _validate(path) == 1
    out = capsys.readouterr().out
    assert f"{path}: document 1 (KafkaTopic/orders): spec.partitions: Invalid value: 0:" in out
    assert "1 documents of other API groups skipped" in out


def test_folders_are_searched_for_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "topics.yml").write_text(MANIFESTS.replace("partitions: 0", "partitions: 2"))
    (tmp_path / "README.md").write_text("not yaml")
    assert _validate(tmp_path) == 0
    assert "1 resources valid" in capsys.readouterr().out


def test_unreadable_yaml_is_a_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("spec: [unclosed\n")
    assert _validate(path) == 1
    assert "cannot read YAML" in capsys.readouterr().out


def test_a_contract_file_is_checked_with_its_dependencies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = (ROOT / "contracts/kafka_adapter/contract.yaml").read_text()
    path = tmp_path / "kafka_adapter" / "contract.yaml"
    path.parent.mkdir()
    path.write_text(source.replace("timeout_seconds: 15", "timeout_seconds: -1", 1))
    assert _validate(path) == 1
    assert "io_operations.0.timeout_seconds" in capsys.readouterr().out
    path.write_text(source)
    assert _validate(path) == 0


def test_a_missing_project_root_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["contracts", "validate"]) == 2
