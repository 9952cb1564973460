"""`onex-infra plan` for VaultSecrets against the test-bed's real OpenBao and kube-apiserver: key
changes by name only, conflicts and adoption, ownership from the live resource, a file with
KafkaTopics beside them, no value in any output, and nothing written to Vault, Kafka or Kubernetes."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from onex_operator.testbed.components.openbao import ModelOpenBaoAccess, openbao_access
from tests.conftest import RunningTestbed
from tests.integration.test_plan_cli import (
    API_VERSION,
    CRDS,
    Kafka,
    Namespace,
    Plan,
    _plan,
    _write,
)

pytestmark = pytest.mark.integration

ROTATE = "infra.onex.dev/rotate"


class Bao:
    """OpenBao's KV v2 API as the test-bed's root token: the test's own hand, not the plan's."""

    def __init__(self, access: ModelOpenBaoAccess) -> None:
        self.token = access.root_token.get_secret_value()
        self._address = access.address
        self.mount = access.kv2_mount
        self._session = requests.Session()
        self.paths: list[str] = []

    def _call(self, method: str, path: str, body: dict[str, object] | None = None) -> requests.Response:
        return self._session.request(
            method, f"{self._address}/v1/{path}", json=body, headers={"X-Vault-Token": self.token}, timeout=10
        )

    def write(self, path: str, data: dict[str, str], custom_metadata: dict[str, str] | None = None) -> None:
        self.paths.append(path)
        assert self._call("POST", f"{self.mount}/data/{path}", {"data": data}).ok
        if custom_metadata is not None:
            answer = self._call("POST", f"{self.mount}/metadata/{path}", {"custom_metadata": custom_metadata})
            assert answer.ok

    def state(self, path: str) -> dict[str, object] | None:
        """Everything a write would change (data, versions, times, custom_metadata), or None."""
        metadata = self._call("GET", f"{self.mount}/metadata/{path}")
        if metadata.status_code == 404:
            return None
        data = self._call("GET", f"{self.mount}/data/{path}")
        assert metadata.ok and data.ok
        return {"metadata": metadata.json()["data"], "data": data.json()["data"]["data"]}

    def delete_written(self) -> None:
        for path in self.paths:
            self._call("DELETE", f"{self.mount}/metadata/{path}")


@pytest.fixture
def bao(testbed: RunningTestbed) -> Iterator[Bao]:
    handle = Bao(openbao_access(testbed.settings, testbed.credentials))
    yield handle
    handle.delete_written()


@pytest.fixture
def namespace(testbed: RunningTestbed) -> Iterator[Namespace]:
    space = Namespace(testbed)
    space.kubectl("apply", "--server-side", "--force-conflicts", "-f", str(CRDS))
    space.kubectl("wait", "--for=condition=Established", "--timeout=60s", "-f", str(CRDS))
    space.kubectl("create", "namespace", space.name)
    yield space
    space.kubectl("delete", "namespace", space.name, "--wait=false")


@pytest.fixture
def kafka(testbed: RunningTestbed) -> Iterator[Kafka]:
    handle = Kafka(testbed)
    yield handle
    handle.delete_created()


def _opaque(name: str, data: dict[str, str]) -> dict[str, object]:
    encoded = {key: base64.b64encode(value.encode()).decode() for key, value in data.items()}
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}, "data": encoded}


def _services(testbed: RunningTestbed, bao: Bao) -> dict[str, object]:
    """One InfraConnection for Kafka (SASL) and Vault (token), credentials in its namespace."""
    sasl = {
        "mechanism": testbed.env["ONEX_KAFKA_SASL_MECHANISM"],
        "username": testbed.env["ONEX_KAFKA_SASL_USERNAME"],
        "passwordSecretRef": {"name": "creds", "key": "kafka-password"},
    }
    kafka = {
        "bootstrapServers": [testbed.env["ONEX_KAFKA_SASL_BOOTSTRAP"]],
        "securityProtocol": "SASL_PLAINTEXT",
        "sasl": sasl,
    }
    vault = {
        "address": openbao_access(testbed.settings, testbed.credentials).address,
        "auth": {"token": {"secretRef": {"name": "creds", "key": "vault-token"}}},
    }
    return {
        "apiVersion": API_VERSION,
        "kind": "InfraConnection",
        "metadata": {"name": "services"},
        "spec": {"kafka": kafka, "vault": vault},
    }


def _secret_resource(
    path: str, literal: str, annotations: dict[str, str] | None = None, **spec: object
) -> dict[str, object]:
    data = [
        {"key": "username", "value": literal},
        {"key": "password", "generate": {"length": 24}},
        {"key": "api-key", "valueFrom": {"secretKeyRef": {"name": "app-source", "key": "api-key"}}},
    ]
    return {
        "apiVersion": API_VERSION,
        "kind": "VaultSecret",
        "metadata": {"name": "db", "annotations": annotations or {}},
        "spec": {
            "path": path,
            "data": data,
            "target": {"name": "db-creds"},
            "connectionRef": {"name": "services"},
            **spec,
        },
    }


def _resource_versions(namespace: Namespace) -> str:
    return namespace.kubectl(
        "get", "-n", namespace.name, "vaultsecrets,kafkatopics,infraconnections,secrets", "-o",
        "jsonpath={range .items[*]}{.kind}/{.metadata.name}={.metadata.resourceVersion} {end}",
    )  # fmt: skip


def _hash_key_secret(namespace: Namespace) -> str:
    """The operator's hash key Secret where a plan looks for it (settings' default namespace)."""
    return namespace.kubectl(
        "get", "secret", "-n", "default", "onex-infra-operator-hash-key", "--ignore-not-found",
        "-o", "jsonpath={.metadata.resourceVersion}",
    )  # fmt: skip


def test_vault_secret_plan_against_openbao(
    testbed: RunningTestbed, bao: Bao, kafka: Kafka, namespace: Namespace, tmp_path: Path
) -> None:
    ns, path = namespace.name, f"onex-plan/{uuid.uuid4().hex}"
    literal, source, in_vault, unnamed = (
        f"{what}-canary-{uuid.uuid4().hex[:10]}" for what in ("lit", "src", "vault", "x")
    )
    kafka_password = testbed.env["ONEX_KAFKA_SASL_PASSWORD"]
    namespace.apply(
        _opaque("creds", {"kafka-password": kafka_password, "vault-token": bao.token}),
        _opaque("app-source", {"api-key": source}),
        _services(testbed, bao),
    )
    topic = f"{ns}-orders"
    topic_resource = {
        "apiVersion": API_VERSION,
        "kind": "KafkaTopic",
        "metadata": {"name": "orders"},
        "spec": {"topicName": topic, "partitions": 1, "connectionRef": {"name": "services"}},
    }
    outputs: list[Plan] = []
    where = f"{tmp_path / 'plan.yaml'}, document 0"

    def plan(*documents: dict[str, object], output: str = "text") -> Plan:
        result = _plan(testbed, "-f", _write(tmp_path / "plan.yaml", *documents), "-n", ns, "-o", output)
        outputs.append(result)
        return result

    versions = _resource_versions(namespace)
    hash_key = _hash_key_secret(namespace)

    # an empty path: every key is added, the generated one marked; a KafkaTopic beside it by its kind
    fresh = plan(_secret_resource(path, literal), topic_resource)
    assert fresh.code == 2, fresh.out
    assert (
        f"+ VaultSecret {ns}/db -> secret secret/{path} on {ns}/services  [{where}]\n"
        "    record ownership in custom_metadata\n"
        "    + api-key\n"
        "    + password (generated)\n"
        "    + username\n"
        "    create Secret db-creds\n"
    ) in fresh.out
    assert f"+ KafkaTopic {ns}/orders -> topic {topic} on {ns}/services" in fresh.out
    assert f"    + create topic {topic} (partitions 1, replication factor broker default)" in fresh.out
    assert fresh.out.rstrip().endswith(
        "Plan: 2 to create (1 KafkaTopic, 1 VaultSecret), 0 to change, 0 in sync. Nothing was written."
    )
    assert bao.state(path) is None

    # written behind the operator's back, with other values: not this resource's
    bao.write(path, {"username": in_vault, "unnamed": unnamed})
    before = bao.state(path)
    conflict = plan(_secret_resource(path, literal))
    assert conflict.code == 1, conflict.out
    assert (
        f"    ! conflict: secret/{path} exists and was not written by onex-infra-operator; "
        "set spec.adopt: true to manage it\n"
        f"      ownership: VaultSecret {ns}/db is not in the cluster, so neither a uid nor a status can "
        "show that this resource wrote the secret\n"
    ) in conflict.out
    assert "note: a file has no status and no uid" in conflict.out

    adopted = plan(_secret_resource(path, literal, adopt=True))
    assert adopted.code == 2, adopted.out
    assert (
        f"~ VaultSecret {ns}/db -> secret secret/{path} on {ns}/services  [{where}]\n"
        "    record ownership in custom_metadata\n"
        "    + api-key\n"
        "    + password (generated)\n"
        "    ~ username (value differs)\n"
        "    create Secret db-creds\n"
    ) in adopted.out
    as_json = json.loads(plan(_secret_resource(path, literal, adopt=True), output="json").out)
    (resource,) = as_json["resources"]
    assert (resource["kind"], resource["verdict"], resource["creates"]) == ("VaultSecret", "changes", False)
    assert {"kind": "update", "key": "username", "generated": False} in resource["changes"]
    (share,) = as_json["summary_by_kind"]
    assert (share["kind"], share["counts"]["change"]) == ("VaultSecret", 1)
    assert bao.state(path) == before
    assert _resource_versions(namespace) == versions

    # the cluster has the resource: its uid in the secret's custom_metadata makes the secret its own
    namespace.apply(_secret_resource(path, literal))
    uid = namespace.kubectl("get", "-n", ns, "vaultsecret", "db", "-o", "jsonpath={.metadata.uid}")
    owner = {"managed-by": "onex-infra-operator", "owner-namespace": ns, "owner-name": "db", "owner-uid": uid}
    bao.write(path, {"username": literal, "password": in_vault, "api-key": source}, owner)
    # and the rotation the live status records as handled is not asked again
    status = json.dumps({"status": {"rotation": "r1"}})
    namespace.kubectl(
        "patch", "-n", ns, "vaultsecret", "db", "--subresource=status", "--type=merge", "-p", status
    )  # fmt: skip
    before = bao.state(path)
    versions = _resource_versions(namespace)
    owned = plan(_secret_resource(path, literal, {ROTATE: "r1"}), output="json")
    (resource,) = json.loads(owned.out)["resources"]
    assert resource["verdict"] == "changes", owned.out
    assert resource["ownership"] == f"its custom_metadata names the live VaultSecret {ns}/db (uid {uid})"
    assert resource["descriptions"] == ["create Secret db-creds"]  # the keys already match
    rotated = plan(_secret_resource(path, literal, {ROTATE: "r2"}), output="json")
    (resource,) = json.loads(rotated.out)["resources"]
    assert resource["descriptions"] == ["~ password (regenerated)", "create Secret db-creds"]

    # nothing was written: not to Vault, not to Kafka, not to Kubernetes (no target Secret, no hash key)
    assert bao.state(path) == before
    assert kafka.state(topic) is None
    assert _resource_versions(namespace) == versions
    assert _hash_key_secret(namespace) == hash_key

    # no value in any output, nor hidden by the sanitizer: the plan never held one
    for result in outputs:
        for canary in (literal, source, in_vault, unnamed, bao.token, kafka_password):
            assert canary not in result.out + result.err
        assert "***" not in result.out
