"""`onex-infra plan` reads manifests: KafkaTopics validated by the generated model, other kinds
skipped, invalid documents named by file, document and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from onex_operator.models.enum_managed_kind import EnumManagedKind
from onex_operator.models.model_kafka_topic_spec import ModelKafkaTopicSpec
from onex_operator.models.model_vault_secret_spec import ModelVaultSecretSpec
from onex_operator.planning import manifests

pytestmark = pytest.mark.unit


KAFKA_ONLY = {EnumManagedKind.KAFKA_TOPIC: ModelKafkaTopicSpec.model_validate}


def load_manifests(paths: list[Path], default_namespace: str) -> manifests.ManifestSet:
    """The loader with the KafkaTopic kind only, as most of these tests read."""
    return manifests.load_manifests(paths, default_namespace, KAFKA_ONLY)


TOPICS = """\
apiVersion: v1
kind: Namespace
metadata: {name: team}
---
apiVersion: infra.onex.dev/v1alpha1
kind: KafkaTopic
metadata: {name: orders, namespace: team}
spec:
  topicName: orders.v1
  partitions: 6
  config: {retention.ms: "604800000"}
---
apiVersion: infra.onex.dev/v1alpha1
kind: KafkaTopic
metadata: {name: audit}
---
apiVersion: infra.onex.dev/v1alpha1
kind: InfraConnection
metadata: {name: default}
spec: {}
"""


def _write(tmp_path: Path, text: str, name: str = "topics.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_kafka_topics_are_read_and_other_kinds_skipped(tmp_path: Path) -> None:
    path = _write(tmp_path, TOPICS)
    found = load_manifests([path], "fallback")
    assert [(r.label, r.document, r.spec.partitions) for r in found.resources] == [
        ("team/orders", 1, 6),
        ("fallback/audit", 2, None),
    ]
    assert found.resources[0].spec.config == {"retention.ms": "604800000"}
    # the operator's helpers read the body: the namespace is filled in
    assert found.resources[1].body["metadata"] == {"name": "audit", "namespace": "fallback"}
    assert [str(s) for s in found.skipped] == [
        f"{path}: document 0 (Namespace/team)",
        f"{path}: document 3 (InfraConnection/default)",
    ]
    assert found.invalid == []


def test_invalid_spec_names_file_document_and_every_field(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """\
apiVersion: infra.onex.dev/v1alpha1
kind: KafkaTopic
metadata: {name: bad}
spec:
  partitions: many
  config: {retention.ms: 5}
  dependsOn: [{kind: Widget, name: x}]
  colour: blue
""",
    )
    found = load_manifests([path], "default")
    assert found.resources == []
    messages = [str(issue) for issue in found.invalid]
    where = f"{path}: document 0 (KafkaTopic/bad)"
    assert (
        f"{where}: spec.partitions: Input should be a valid integer, unable to parse string as an integer"
        in (messages)
    )
    assert f"{where}: spec.config[retention.ms]: Input should be a valid string" in messages
    assert any(m.startswith(f"{where}: spec.dependsOn[0].kind: Input should be") for m in messages)
    assert f"{where}: spec.colour: Extra inputs are not permitted" in messages


@pytest.mark.parametrize(
    ("document", "field", "message"),
    [
        (
            "apiVersion: infra.onex.dev/v1beta1\nkind: KafkaTopic\nmetadata: {name: a}\n",
            "apiVersion",
            "v1alpha1",
        ),
        (
            "apiVersion: infra.onex.dev/v1alpha1\nkind: KafkaTopic\nmetadata: {}\n",
            "metadata.name",
            "required",
        ),
        (
            "apiVersion: infra.onex.dev/v1alpha1\nkind: KafkaTopic\nmetadata: {name: a, namespace: 3}\n",
            "metadata.namespace",
            "namespace name",
        ),
        (
            "apiVersion: infra.onex.dev/v1alpha1\nkind: KafkaTopic\nmetadata: {name: a}\nspec: 5\n",
            "spec",
            "valid",
        ),
    ],
)
def test_invalid_envelope(tmp_path: Path, document: str, field: str, message: str) -> None:
    (issue,) = load_manifests([_write(tmp_path, document)], "default").invalid
    assert (issue.document, issue.path) == (0, field)
    assert message in issue.message


def test_a_resource_twice_is_invalid(tmp_path: Path) -> None:
    first = _write(tmp_path, TOPICS, "a.yaml")
    second = _write(tmp_path, TOPICS.split("---\n")[1], "b.yaml")
    found = load_manifests([first, second], "default")
    (issue,) = found.invalid
    assert (issue.file, issue.path) == (str(second), "metadata.name")
    assert f"also in {first}, document 1" in issue.message


def test_unreadable_yaml_and_non_mapping_documents(tmp_path: Path) -> None:
    broken = _write(tmp_path, "kind: [unclosed\n", "broken.yaml")
    scalar = _write(tmp_path, "just text\n", "scalar.yaml")
    found = load_manifests([broken, scalar, tmp_path / "missing.yaml"], "default")
    messages = [str(issue) for issue in found.invalid]
    assert messages[0].startswith(f"{broken}: cannot read YAML")
    assert messages[1] == f"{scalar}: document 0: the document must be a mapping"
    assert messages[2].startswith(f"{tmp_path / 'missing.yaml'}: cannot read YAML")


def test_a_folder_stands_for_its_yaml_files(tmp_path: Path) -> None:
    _write(tmp_path, TOPICS, "b.yaml")
    _write(tmp_path, TOPICS.split("---\n")[1].replace("orders", "other"), "a.yml")
    _write(tmp_path, "not yaml at all: [", "README.md")
    found = load_manifests([tmp_path], "default")
    assert [r.label for r in found.resources] == ["team/other", "team/orders", "default/audit"]


def test_every_registered_kind_is_read_and_a_name_may_repeat_across_kinds(tmp_path: Path) -> None:
    canary = "manifest-canary-0c5e"
    path = _write(
        tmp_path,
        f"""\
apiVersion: infra.onex.dev/v1alpha1
kind: KafkaTopic
metadata: {{name: orders, namespace: team}}
---
apiVersion: infra.onex.dev/v1alpha1
kind: VaultSecret
metadata: {{name: orders, namespace: team}}
spec:
  path: team/orders
  data: [{{key: password, generate: {{length: 16}}}}]
---
apiVersion: infra.onex.dev/v1alpha1
kind: VaultSecret
metadata: {{name: bad}}
spec:
  path: team/bad
  data: [{{key: password, value: {canary}, colour: blue}}]
""",
    )
    kinds = {**KAFKA_ONLY, EnumManagedKind.VAULT_SECRET: ModelVaultSecretSpec.model_validate}
    found = manifests.load_manifests([path], "default", kinds)
    assert [(r.kind.value, r.label) for r in found.resources] == [
        ("KafkaTopic", "team/orders"),
        ("VaultSecret", "team/orders"),
    ]
    (issue,) = found.invalid
    assert (issue.resource, issue.path) == ("VaultSecret/bad", "spec.data[0].colour")
    # a VaultSecret's spec carries values: an invalid one is named by field, never by its input
    assert canary not in str(issue)
