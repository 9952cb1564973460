"""`onex-infra plan` against the test-bed's real Kafka and kube-apiserver: the plan it prints, its
exit codes, its classified errors, and that it writes nothing to either."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from confluent_kafka import KafkaException, TopicCollection
from confluent_kafka.admin import AdminClient, ConfigResource, ConfigSource, NewTopic

from tests.conftest import RunningTestbed
from tests.integration.test_crds_apiserver import Kubectl

pytestmark = pytest.mark.integration

CRDS = Path(__file__).resolve().parents[2] / "crds"
API_VERSION = "infra.onex.dev/v1alpha1"


@dataclass(frozen=True)
class Plan:
    code: int
    out: str
    err: str


def _plan(testbed: RunningTestbed, *args: str) -> Plan:
    result = subprocess.run(
        [sys.executable, "-m", "onex_operator", "plan", *args],
        check=False,
        capture_output=True,
        text=True,
        env={**os.environ, **testbed.env},
        timeout=120,
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    return Plan(result.returncode, result.stdout, result.stderr)


def _topic(name: str, **spec: object) -> dict[str, object]:
    return {"apiVersion": API_VERSION, "kind": "KafkaTopic", "metadata": {"name": name}, "spec": spec}


def _write(path: Path, *documents: dict[str, object]) -> str:
    path.write_text(yaml.safe_dump_all(documents))
    return str(path)


class Kafka:
    def __init__(self, testbed: RunningTestbed) -> None:
        self.admin = AdminClient({"bootstrap.servers": testbed.env["ONEX_KAFKA_BOOTSTRAP"]})
        self.created: list[str] = []

    def create(self, name: str, partitions: int, config: dict[str, str]) -> None:
        self.admin.create_topics([NewTopic(name, partitions, 1, config=config)])[name].result(30)
        self.created.append(name)
        # the broker's metadata follows the controller a moment later
        deadline = time.monotonic() + 30
        while not self._shows(name, partitions, config):
            assert time.monotonic() < deadline, f"topic {name} never appeared in the metadata"
            time.sleep(0.1)

    def _shows(self, name: str, partitions: int, config: dict[str, str]) -> bool:
        try:
            return self.state(name) == (partitions, config)
        except KafkaException:
            return False

    def state(self, name: str) -> tuple[int, dict[str, str]] | None:
        """Partitions and dynamic configs, or None when the topic does not exist."""
        if name not in self.admin.list_topics(timeout=10).topics:
            return None
        resource = ConfigResource(ConfigResource.Type.TOPIC, name)
        configs = self.admin.describe_configs([resource])[resource].result(30)
        dynamic = {
            key: entry.value
            for key, entry in configs.items()
            if entry.source == ConfigSource.DYNAMIC_TOPIC_CONFIG.value
        }
        return len(self.admin.list_topics(topic=name, timeout=10).topics[name].partitions), dynamic

    def topic_id(self, name: str) -> str:
        described = self.admin.describe_topics(TopicCollection([name]))[name].result(30)
        return str(described.topic_id)

    def delete_created(self) -> None:
        if self.created:
            for future in self.admin.delete_topics(self.created).values():
                future.result(30)


@pytest.fixture
def kafka(testbed: RunningTestbed) -> Iterator[Kafka]:
    handle = Kafka(testbed)
    yield handle
    handle.delete_created()


def test_bootstrap_plan_prints_every_kind_of_change_and_writes_nothing(
    testbed: RunningTestbed, kafka: Kafka, tmp_path: Path
) -> None:
    prefix = f"plan-{uuid.uuid4().hex[:8]}"
    drift, shrink, foreign, same = (f"{prefix}-{suffix}" for suffix in ("drift", "shrink", "foreign", "same"))
    kafka.create(drift, 3, {"retention.ms": "1000", "segment.ms": "100000"})
    kafka.create(shrink, 3, {})
    kafka.create(foreign, 1, {})
    kafka.create(same, 2, {"cleanup.policy": "compact"})
    before = {name: kafka.state(name) for name in (drift, shrink, foreign, same)}
    bootstrap = ["--bootstrap", testbed.env["ONEX_KAFKA_BOOTSTRAP"]]

    changes = _write(
        tmp_path / "changes.yaml",
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ignored"}},
        _topic(f"{prefix}-new", partitions=2, config={"retention.ms": "60000"}),
        _topic(drift, adopt=True, partitions=4, config={"retention.ms": "604800000"}),
        _topic(same, adopt=True, partitions=2, config={"cleanup.policy": "compact"}),
    )
    plan = _plan(testbed, "-f", changes, *bootstrap)
    assert plan.code == 2, plan.out
    assert f"+ create topic {prefix}-new (partitions 2, replication factor broker default)" in plan.out
    assert '        retention.ms = "60000"' in plan.out
    assert "    + add partitions: 3 -> 4" in plan.out
    assert '    ~ set retention.ms: "1000" -> "604800000"' in plan.out
    assert '    - remove segment.ms (was "100000"; the broker default applies)' in plan.out
    assert f"= KafkaTopic default/{same} -> topic {same}" in plan.out
    assert "skipped (no plan for this kind)" in plan.out
    assert plan.out.rstrip().endswith(
        "Plan: 1 to create, 1 to change, 1 in sync, 1 skipped. Nothing was written."
    )

    in_sync = _write(
        tmp_path / "same.yaml", _topic(same, adopt=True, partitions=2, config={"cleanup.policy": "compact"})
    )
    assert _plan(testbed, "-f", in_sync, *bootstrap).code == 0

    blocked = _write(
        tmp_path / "blocked.yaml",
        _topic(shrink, adopt=True, partitions=1),
        _topic(foreign, partitions=1),
        _topic(f"{prefix}-bad", partitions="many"),
    )
    plan = _plan(testbed, "-f", blocked, *bootstrap, "--output", "json")
    assert plan.code == 1, plan.out
    parsed = json.loads(plan.out)
    verdicts = {resource["name"]: resource for resource in parsed["resources"]}
    assert verdicts[shrink]["verdict"] == "refused"
    assert verdicts[shrink]["refusals"] == [
        f"partitions cannot decrease: topic {shrink} has 3, spec asks for 1"
    ]
    assert verdicts[foreign]["verdict"] == "conflict"
    assert verdicts[foreign]["ownership"].startswith("Kubernetes was not consulted (--bootstrap)")
    (invalid,) = parsed["invalid"]
    assert (invalid["document"], invalid["path"]) == (2, "spec.partitions")

    # nothing was written
    assert kafka.state(f"{prefix}-new") is None
    assert {name: kafka.state(name) for name in before} == before


def test_unreachable_kafka_is_a_classified_error(testbed: RunningTestbed, tmp_path: Path) -> None:
    path = _write(tmp_path / "t.yaml", _topic("plan-unreachable"))
    plan = _plan(testbed, "-f", path, "--bootstrap", "127.0.0.1:1")  # nothing listens on port 1
    assert plan.code == 1
    assert "! error InfraTimeoutError: Kafka describe_topics" in plan.out or (
        "! error InfraConnectionError: Kafka describe_topics" in plan.out
    ), plan.out


class Namespace:
    """A fresh namespace with the CRDs installed; deleted afterwards."""

    def __init__(self, testbed: RunningTestbed) -> None:
        self.name = f"plan-{uuid.uuid4().hex[:8]}"
        self._kubectl = Kubectl(testbed)

    def kubectl(self, *args: str, stdin: str | None = None) -> str:
        return self._kubectl.ok(*args, stdin=stdin)

    def apply(self, *documents: dict[str, object]) -> None:
        self.kubectl("apply", "-n", self.name, "-f", "-", stdin=yaml.safe_dump_all(documents))

    def resource_versions(self) -> str:
        return self.kubectl(
            "get", "-n", self.name, "kafkatopics,infraconnections,secrets", "-o",
            "jsonpath={range .items[*]}{.kind}/{.metadata.name}={.metadata.resourceVersion} {end}",
        )  # fmt: skip


@pytest.fixture
def namespace(testbed: RunningTestbed) -> Iterator[Namespace]:
    space = Namespace(testbed)
    space.kubectl("apply", "--server-side", "--force-conflicts", "-f", str(CRDS))
    space.kubectl("wait", "--for=condition=Established", "--timeout=60s", "-f", str(CRDS))
    space.kubectl("create", "namespace", space.name)
    yield space
    space.kubectl("delete", "namespace", space.name, "--wait=false")


def _secret(name: str, password: str) -> dict[str, object]:
    data = {"kafka-sasl-password": base64.b64encode(password.encode()).decode()}
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}, "data": data}


def _connection(testbed: RunningTestbed, name: str, secret: str) -> dict[str, object]:
    sasl = {
        "mechanism": testbed.env["ONEX_KAFKA_SASL_MECHANISM"],
        "username": testbed.env["ONEX_KAFKA_SASL_USERNAME"],
        "passwordSecretRef": {"name": secret, "key": "kafka-sasl-password"},
    }
    kafka = {
        "bootstrapServers": [testbed.env["ONEX_KAFKA_SASL_BOOTSTRAP"]],
        "securityProtocol": "SASL_PLAINTEXT",
        "sasl": sasl,
    }
    return {
        "apiVersion": API_VERSION,
        "kind": "InfraConnection",
        "metadata": {"name": name},
        "spec": {"kafka": kafka},
    }


def test_connection_from_the_cluster_with_ownership_from_the_live_status(
    testbed: RunningTestbed, kafka: Kafka, namespace: Namespace, tmp_path: Path
) -> None:
    password = testbed.env["ONEX_KAFKA_SASL_PASSWORD"]
    wrong_password = f"wrong-{uuid.uuid4().hex}"
    owned, foreign = f"{namespace.name}-owned", f"{namespace.name}-foreign"
    kafka.create(owned, 2, {"retention.ms": "1000"})
    kafka.create(foreign, 1, {})
    namespace.apply(
        _secret("kafka-creds", password),
        _secret("wrong-creds", wrong_password),
        _connection(testbed, "kafka", "kafka-creds"),
        _connection(testbed, "wrong", "wrong-creds"),
        _connection(testbed, "no-secret", "missing-creds"),
        # the live resource records the topic as its own; it names a connection that does not exist,
        # so an operator watching every namespace could not touch Kafka for it
        _topic("owned", topicName=owned, connectionRef={"name": "nowhere"}),
    )
    status = {"status": {"topicName": owned, "topicId": kafka.topic_id(owned)}}
    namespace.kubectl(
        "patch", "-n", namespace.name, "kafkatopic", "owned", "--subresource=status", "--type=merge",
        "-p", json.dumps(status),
    )  # fmt: skip
    versions = namespace.resource_versions()
    before = {name: kafka.state(name) for name in (owned, foreign)}

    owned_topic = _topic(
        "owned",
        topicName=owned,
        partitions=2,
        config={"retention.ms": "604800000"},
        connectionRef={"name": "kafka"},
    )
    path = _write(
        tmp_path / "topics.yaml",
        owned_topic,
        _topic("foreign", topicName=foreign, connectionRef={"name": "kafka"}),
        _topic("fresh", topicName=f"{namespace.name}-fresh", connectionRef={"name": "kafka"}),
        _topic("unauthorised", connectionRef={"name": "wrong"}),
        _topic("unresolved", connectionRef={"name": "no-secret"}),
    )
    plan = _plan(testbed, "-f", path, "--namespace", namespace.name)
    assert plan.code == 1, plan.out
    out = plan.out
    assert f"~ KafkaTopic {namespace.name}/owned -> topic {owned} on {namespace.name}/kafka" in out
    assert '    ~ set retention.ms: "1000" -> "604800000"' in out
    assert f"! KafkaTopic {namespace.name}/foreign -> topic {foreign}" in out
    assert f"KafkaTopic {namespace.name}/foreign is not in the cluster, so no status records" in out
    assert f"+ create topic {namespace.name}-fresh" in out
    assert (
        f"! KafkaTopic {namespace.name}/unauthorised -> topic unauthorised on {namespace.name}/wrong" in out
    )
    assert "! error InfraAuthenticationError: Kafka refused the credentials" in out
    assert (
        f"! error SecretResolutionError: Secret missing-creds does not exist in namespace {namespace.name}"
        in out
    )
    assert "note: a file has no status" in out
    assert password not in out + plan.err
    assert wrong_password not in out + plan.err

    # (the wrong password costs a describe timeout: the JSON run leaves it out)
    quick = _write(tmp_path / "owned.yaml", owned_topic)
    json_plan = json.loads(_plan(testbed, "-f", quick, "--namespace", namespace.name, "-o", "json").out)
    (owned_plan,) = json_plan["resources"]
    assert owned_plan["ownership"].endswith(f"records topicId {kafka.topic_id(owned)} in its status")

    # one InfraConnection for every resource, whatever their connectionRef says
    named = _plan(
        testbed, "-f", path, "-n", namespace.name, "--connection", f"{namespace.name}/kafka", "-o", "json"
    )
    resources = json.loads(named.out)["resources"]
    assert {r["connection"] for r in resources} == {f"{namespace.name}/kafka"}
    assert {r["name"]: r["verdict"] for r in resources} == {
        "owned": "changes",
        "foreign": "conflict",
        "fresh": "changes",
        "unauthorised": "changes",
        "unresolved": "changes",
    }

    # nothing was written, to Kafka or to Kubernetes
    assert kafka.state(f"{namespace.name}-fresh") is None
    assert kafka.state("unresolved") is None
    assert {name: kafka.state(name) for name in before} == before
    assert namespace.resource_versions() == versions
