"""The generated CRDs against the real kube-apiserver of the test-bed, and the offline validator
against the apiserver: every manifest gets the same verdict from both."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pytest
import yaml

from onex_operator.contracts.catalog import load_catalog
from onex_operator.contracts.crd_builder import resource_schema
from onex_operator.contracts.manifest_validation import ManifestValidator
from onex_operator.contracts.resolver import SchemaResolver

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
CRDS = ROOT / "crds"
EXAMPLES = ROOT / "contracts" / "examples"
INVALID = yaml.safe_load_all((ROOT / "contracts" / "testdata" / "invalid-manifests.yaml").read_text())
INVALID_CASES = list(INVALID)
EXPECT_FIELD = "test.onex.dev/expect-field"
CLUSTER_SCOPED = {"ClusterInfraConnection"}
ALL_KINDS = {
    "InfraConnection",
    "ClusterInfraConnection",
    "KafkaTopic",
    "ConsulService",
    "VaultSecret",
    "PostgresMigration",
}


class ProtocolTestbed(Protocol):
    """What these tests need of the `testbed` fixture."""

    kubeconfig: Path
    kubectl: Path
    env: dict[str, str]


class Kubectl:
    def __init__(self, testbed: ProtocolTestbed) -> None:
        self._binary = str(testbed.kubectl)
        self._env = {**os.environ, **testbed.env, "KUBECONFIG": str(testbed.kubeconfig)}

    def run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self._binary, *args],
            check=False,
            input=stdin,
            capture_output=True,
            text=True,
            env=self._env,
            timeout=60,
        )

    def ok(self, *args: str, stdin: str | None = None) -> str:
        result = self.run(*args, stdin=stdin)
        assert result.returncode == 0, f"kubectl {' '.join(args)} failed: {result.stderr}"
        return result.stdout


@pytest.fixture(scope="module")
def kubectl(testbed: ProtocolTestbed) -> Kubectl:
    return Kubectl(testbed)


@pytest.fixture(scope="module")
def crds(kubectl: Kubectl) -> str:
    out = kubectl.ok("apply", "--server-side", "--force-conflicts", "-f", str(CRDS))
    kubectl.ok("wait", "--for=condition=Established", "--timeout=60s", "-f", str(CRDS))
    return out


@pytest.fixture(scope="module")
def namespace(kubectl: Kubectl, crds: str) -> Iterator[str]:
    name = f"crd-test-{uuid.uuid4().hex[:8]}"
    kubectl.ok("create", "namespace", name)
    yield name
    kubectl.run("delete", "namespace", name, "--wait=false")


@pytest.fixture(scope="module")
def validator() -> ManifestValidator:
    catalog, issues = load_catalog(ROOT / "contracts")
    assert not issues
    return ManifestValidator(catalog)


def _in_namespace(document: dict[str, object], namespace: str) -> dict[str, object]:
    metadata = dict(document["metadata"])
    if document["kind"] not in CLUSTER_SCOPED:
        metadata["namespace"] = namespace
    return {**document, "metadata": metadata}


def _apply(kubectl: Kubectl, document: dict[str, object]) -> subprocess.CompletedProcess[str]:
    return kubectl.run("apply", "--server-side", "-f", "-", stdin=yaml.safe_dump(document))


def test_crds_apply_server_side(crds: str) -> None:
    assert crds.count("serverside-applied") == len(list(CRDS.glob("*.yaml")))


def test_every_example_is_valid_offline_and_applies(
    kubectl: Kubectl, namespace: str, validator: ManifestValidator
) -> None:
    documents = [
        doc for path in sorted(EXAMPLES.glob("*.yaml")) for doc in yaml.safe_load_all(path.read_text())
    ]
    assert {doc["kind"] for doc in documents} == ALL_KINDS
    cluster_names = []
    try:
        for document in documents:
            placed = _in_namespace(document, namespace)
            assert validator.validate(placed) == [], document["metadata"]["name"]
            result = _apply(kubectl, placed)
            assert result.returncode == 0, result.stderr
            if document["kind"] in CLUSTER_SCOPED:
                cluster_names.append(document["metadata"]["name"])
        listed = kubectl.ok("get", "onex", "-n", namespace, "-o", "name")
        assert len(listed.split()) >= len(documents) - len(cluster_names)
    finally:
        for name in cluster_names:
            kubectl.run("delete", "clusterinfraconnection", name, "--ignore-not-found")


@pytest.mark.parametrize("document", INVALID_CASES, ids=[case["metadata"]["name"] for case in INVALID_CASES])
def test_invalid_manifest_is_rejected_by_both(
    kubectl: Kubectl, namespace: str, validator: ManifestValidator, document: dict[str, object]
) -> None:
    placed = _in_namespace(document, namespace)
    field = document["metadata"]["annotations"][EXPECT_FIELD]
    offline = validator.validate(placed)
    assert any(error.path.startswith(field) for error in offline), offline
    result = _apply(kubectl, placed)
    assert result.returncode != 0, f"the apiserver accepted {document['metadata']}"
    assert field in result.stderr, result.stderr


def test_invalid_cases_cover_every_kind() -> None:
    assert len(INVALID_CASES) >= 30
    assert {case["kind"] for case in INVALID_CASES} == ALL_KINDS


def test_topic_name_is_immutable_in_both(
    kubectl: Kubectl, namespace: str, validator: ManifestValidator
) -> None:
    topic = {
        "apiVersion": "infra.onex.dev/v1alpha1",
        "kind": "KafkaTopic",
        "metadata": {"name": "immutable-name", "namespace": namespace},
        "spec": {"partitions": 3},
    }
    assert _apply(kubectl, topic).returncode == 0
    renamed = {**topic, "spec": {"partitions": 3, "topicName": "another-topic"}}
    same_name = {**topic, "spec": {"partitions": 6, "topicName": "immutable-name"}}

    result = _apply(kubectl, renamed)
    assert result.returncode != 0
    assert "spec.topicName" in result.stderr
    assert [error.path for error in validator.validate(renamed, old=topic)] == ["spec.topicName"]

    # Naming the default explicitly is no rename; growing partitions is allowed.
    assert validator.validate(same_name, old=topic) == []
    assert _apply(kubectl, same_name).returncode == 0


def test_status_is_kept_whole_including_kopf_bookkeeping(kubectl: Kubectl, namespace: str) -> None:
    topic = {
        "apiVersion": "infra.onex.dev/v1alpha1",
        "kind": "KafkaTopic",
        "metadata": {"name": "status-kept", "namespace": namespace},
        "spec": {"partitions": 1},
    }
    assert _apply(kubectl, topic).returncode == 0
    status = {
        "observedGeneration": 1,
        "topicName": "status-kept",
        "partitions": 1,
        "conditions": [
            {
                "type": "Ready",
                "status": "False",
                "observedGeneration": 1,
                "lastTransitionTime": "2025-01-01T00:00:00Z",
                "reason": "InfraConnectionError",
                "message": "broker unreachable",
            }
        ],
        "lastError": {
            "errorClass": "InfraConnectionError",
            "transport": "kafka",
            "operation": "describe_topics",
            "target": "status-kept",
            "correlationId": str(uuid.uuid4()),
            "retryable": True,
            "time": "2025-01-01T00:00:00Z",
        },
        "kopf": {"progress": {"reconcile": {"retries": 1, "started": "2025-01-01T00:00:00Z"}}},
    }
    kubectl.ok(
        "patch", "kafkatopic", "status-kept", "-n", namespace, "--subresource=status", "--type=merge",
        "-p", json.dumps({"status": status}),
    )  # fmt: skip
    stored = json.loads(kubectl.ok("get", "kafkatopic", "status-kept", "-n", namespace, "-o", "json"))
    assert stored["status"] == status
    table = kubectl.ok("get", "okt", "status-kept", "-n", namespace)
    header, row = table.splitlines()[:2]
    assert header.split() == ["NAME", "TOPIC", "PARTITIONS", "REPLICAS", "READY", "REASON", "AGE"]
    assert "InfraConnectionError" in row


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        ("KafkaTopic", "spec.partitions"),
        ("ConsulService", "spec.port"),
        ("VaultSecret", "spec.data.generate"),
        ("PostgresMigration", "spec.migrations.sql"),
        ("InfraConnection", "spec.kafka.bootstrapServers"),
        ("ClusterInfraConnection", "spec.allowedNamespaces"),
    ],
)
def test_kubectl_explain_prints_the_contract_description(
    kubectl: Kubectl, crds: str, kind: str, field: str
) -> None:
    catalog, _ = load_catalog(ROOT / "contracts")
    resolver = SchemaResolver(catalog)
    schema = next(
        resource_schema(resolver, contract, resource)
        for contract in catalog.contracts.values()
        for resource in (contract.kubernetes.resources if contract.kubernetes else [])
        if resource.kind == kind
    )
    node = schema
    for part in field.split("."):
        node = (
            node.properties[part]
            if node.properties and part in node.properties
            else node.items.properties[part]
        )  # type: ignore[union-attr,index]
    assert node.description
    output = kubectl.ok("explain", f"{kind.lower()}.{field}")
    assert " ".join(node.description.split()) in " ".join(output.split())


def test_short_names_and_the_onex_category(kubectl: Kubectl, namespace: str) -> None:
    kubectl.ok("get", "okt,ocs,ovs,opgm,oic", "-n", namespace)
    kubectl.ok("get", "ocic")
    resources = kubectl.ok("api-resources", "--api-group=infra.onex.dev", "-o", "wide")
    assert resources.count("onex") >= 6
