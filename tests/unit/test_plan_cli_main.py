"""`onex-infra plan` as a command: arguments, exit codes, classified errors without tracebacks,
the sanitizer at the exit. Kafka is a fake; Kubernetes is absent or a closed local port."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import UUID

import pytest
from kubernetes import client
from kubernetes.config.config_exception import ConfigException

from onex_operator.cli import main
from onex_operator.container import ONEXContainer
from onex_operator.errors import register_secret
from onex_operator.nodes.kafka_adapter.model_kafka_client_config import ModelKafkaClientConfig
from onex_operator.nodes.kafka_adapter.model_topic_observation import ModelTopicObservation
from onex_operator.planning import run

pytestmark = pytest.mark.unit

TOPIC = """\
apiVersion: infra.onex.dev/v1alpha1
kind: KafkaTopic
metadata: {name: orders, namespace: team}
spec:
  partitions: 3
  adopt: true
  config: {retention.ms: "1000"}
"""
NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n"
SECRET = """\
apiVersion: infra.onex.dev/v1alpha1
kind: VaultSecret
metadata: {name: db, namespace: team}
spec:
  path: app/db
  data: [{key: password, generate: {length: 16}}]
"""


class FakeAdmins:
    """Kafka holding `orders` with 3 partitions and retention.ms=1000; remembers the configs asked for."""

    def __init__(self) -> None:
        self.configs: list[ModelKafkaClientConfig] = []

    def admin(self, label: str, config: ModelKafkaClientConfig) -> FakeAdmins:
        self.configs.append(config)
        return self

    async def describe(self, topic: str, correlation_id: UUID) -> ModelTopicObservation | None:
        if topic != "orders":
            return None
        return ModelTopicObservation(
            name=topic,
            topic_id="id",
            partitions=3,
            replication_factor=1,
            dynamic_config={"retention.ms": "1000"},
        )


@pytest.fixture
def kafka(monkeypatch: pytest.MonkeyPatch) -> FakeAdmins:
    admins = FakeAdmins()
    monkeypatch.setattr(ONEXContainer, "kafka_admin", lambda _, label, config: admins.admin(label, config))
    return admins


def _file(tmp_path: Path, text: str, name: str = "topics.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _plan(*args: str) -> int:
    return main(["plan", *args])


def test_only_other_kinds_is_nothing_to_do_and_contacts_nobody(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kafka: FakeAdmins
) -> None:
    assert _plan("-f", _file(tmp_path, NAMESPACE)) == 0
    assert (
        capsys.readouterr()
        .out.rstrip()
        .endswith("Plan: 0 to create, 0 to change, 0 in sync, 1 skipped. Nothing was written.")
    )
    assert kafka.configs == []


def test_in_sync_exits_0_and_a_change_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kafka: FakeAdmins
) -> None:
    assert _plan("-f", _file(tmp_path, TOPIC), "--bootstrap", "kafka:9092") == 0
    assert "    = in sync" in capsys.readouterr().out
    changed = TOPIC.replace('"1000"', '"604800000"')
    assert _plan("-f", _file(tmp_path, changed), "--bootstrap", "kafka:9092") == 2
    assert '~ set retention.ms: "1000" -> "604800000"' in capsys.readouterr().out
    assert {config.target for config in kafka.configs} == {"kafka:9092"}
    assert {config.security_protocol.value for config in kafka.configs} == {"PLAINTEXT"}


def test_json_output(tmp_path: Path, capsys: pytest.CaptureFixture[str], kafka: FakeAdmins) -> None:
    text = TOPIC.replace("partitions: 3", "partitions: 1")
    assert _plan("-f", _file(tmp_path, text), "--bootstrap", "kafka:9092", "-o", "json") == 1
    parsed = json.loads(capsys.readouterr().out)
    (resource,) = parsed["resources"]
    assert resource["verdict"] == "refused"
    assert resource["refusals"][0].startswith("partitions cannot decrease")
    assert parsed["exit_code"] == 1


def test_bootstrap_plans_the_topics_and_says_why_other_kinds_cannot_be_planned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kafka: FakeAdmins
) -> None:
    files = _file(tmp_path, f"{TOPIC.replace('orders', 'payments')}---\n{SECRET}")
    assert _plan("-f", files, "--bootstrap", "kafka:9092") == 1
    out = capsys.readouterr().out
    assert "Connections: KafkaTopics on PLAINTEXT bootstrap kafka:9092, Kubernetes not consulted;" in out
    assert "+ KafkaTopic team/payments -> topic payments on kafka:9092" in out
    assert "! VaultSecret team/db -> secret secret/app/db  [" in out
    assert "! error ProtocolConfigurationError: Kubernetes is not consulted with --bootstrap" in out
    assert out.rstrip().endswith(
        "Plan: 1 to create (1 KafkaTopic), 0 to change, 0 in sync, 1 error (1 VaultSecret). "
        "Nothing was written."
    )


def test_without_kubeconfig_the_error_is_classified(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_config() -> client.ApiClient:
        raise ConfigException("Invalid kube-config file. No configuration found.")

    monkeypatch.setattr(run, "make_api_client", no_config)
    assert _plan("-f", _file(tmp_path, TOPIC)) == 1
    captured = capsys.readouterr()
    assert "error ProtocolConfigurationError: no Kubernetes configuration" in captured.out
    assert "use --bootstrap" in captured.out
    assert "Traceback" not in captured.out + captured.err


def test_an_unreachable_apiserver_is_an_infra_connection_error_per_resource(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    kafka: FakeAdmins,
) -> None:
    configuration = client.Configuration()
    configuration.host = "http://127.0.0.1:1"  # nothing listens on port 1
    configuration.retries = 0
    monkeypatch.setattr(run, "make_api_client", lambda: client.ApiClient(configuration))
    assert _plan("-f", _file(tmp_path, TOPIC)) == 1
    captured = capsys.readouterr()
    assert "! error InfraConnectionError: Kubernetes API unreachable" in captured.out
    assert "note: the live KafkaTopics could not be read (InfraConnectionError)" in captured.out
    assert "Traceback" not in captured.out + captured.err
    assert kafka.configs == []


def test_what_leaves_passes_the_sanitizer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kafka: FakeAdmins
) -> None:
    canary = "plan-canary-5b1e0c"
    register_secret(canary)
    assert _plan("-f", _file(tmp_path, NAMESPACE, f"{canary}.yaml")) == 0
    out = capsys.readouterr().out
    assert canary not in out
    assert "***.yaml" in out


@pytest.mark.parametrize(
    "arguments",
    [
        ["--connection", "team/default", "--bootstrap", "kafka:9092"],
        ["--connection", "default"],
        ["--bootstrap", "kafka"],
        [],
    ],
)
def test_usage_errors(tmp_path: Path, arguments: list[str]) -> None:
    files = ["-f", _file(tmp_path, NAMESPACE)] if arguments else []
    with pytest.raises(SystemExit) as exited:
        _plan(*files, *arguments)
    # 64 (EX_USAGE), never 2: a script reads 2 as "changes pending"
    assert exited.value.code == 64
