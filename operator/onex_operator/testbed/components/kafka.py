"""Apache Kafka 4 in KRaft mode (one node, broker and controller), with a PLAINTEXT listener and a
SASL/PLAIN listener for authentication tests. Jars come from Maven Central."""

from __future__ import annotations

import base64
import shutil
import subprocess
import uuid
from pathlib import Path

from confluent_kafka.admin import AdminClient

from onex_operator.testbed.components.base import TestbedContext
from onex_operator.testbed.errors import TestbedError
from onex_operator.testbed.http_probe import ProbeFailedError, port_open
from onex_operator.testbed.obtain import ensure_maven_libs
from onex_operator.testbed.processes import ModelLaunch
from onex_operator.testbed.settings import KAFKA_VERSION

_LOG4J2 = """\
status = warn
appender.console.type = Console
appender.console.name = console
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.console.ref = console
logger.server.name = kafka.server.KafkaRaftServer
logger.server.level = info
"""


class KafkaComponent:
    name = "kafka"
    depends_on: tuple[str, ...] = ()

    def __init__(self, context: TestbedContext) -> None:
        self._context = context
        self._ports = context.settings.ports
        self._dir = context.settings.run_dir / self.name

    @property
    def _libs(self) -> Path:
        return self._context.settings.cache_dir / f"kafka-{KAFKA_VERSION}" / "libs"

    def ports(self) -> list[int]:
        return [self._ports.kafka_plaintext, self._ports.kafka_sasl, self._ports.kafka_controller]

    def obtain(self) -> None:
        ensure_maven_libs(
            self.name, "kafka", KAFKA_VERSION, self._context.settings.cache_dir, self._context.progress
        )

    def _java(self) -> str:
        java = shutil.which("java")
        if java is None:
            raise TestbedError(self.name, "`java` (17 or newer) is not on PATH")
        return java

    def _properties(self) -> str:
        credentials = self._context.credentials
        ports = self._ports
        jaas = (
            "org.apache.kafka.common.security.plain.PlainLoginModule required "
            f'user_{credentials.kafka_sasl_username}="{credentials.kafka_sasl_password}";'
        )
        settings = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.bootstrap.servers": f"127.0.0.1:{ports.kafka_controller}",
            "listeners": (
                f"PLAINTEXT://127.0.0.1:{ports.kafka_plaintext},SASL_PLAINTEXT://127.0.0.1:{ports.kafka_sasl},"
                f"CONTROLLER://127.0.0.1:{ports.kafka_controller}"
            ),
            "advertised.listeners": (
                f"PLAINTEXT://127.0.0.1:{ports.kafka_plaintext},SASL_PLAINTEXT://127.0.0.1:{ports.kafka_sasl}"
            ),
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": (
                "PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT"
            ),
            "sasl.enabled.mechanisms": "PLAIN",
            "listener.name.sasl_plaintext.plain.sasl.jaas.config": jaas,
            "log.dirs": str(self._dir / "data"),
            "num.partitions": "1",
            "offsets.topic.replication.factor": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            "auto.create.topics.enable": "false",
        }
        return "".join(f"{key}={value}\n" for key, value in settings.items())

    def prepare(self) -> None:
        self._dir.mkdir(parents=True, exist_ok=True)
        config = self._dir / "server.properties"
        config.touch(mode=0o600, exist_ok=True)
        config.write_text(self._properties())
        (self._dir / "log4j2.properties").write_text(_LOG4J2)
        if (self._dir / "data" / "meta.properties").exists():
            return
        cluster_id = "-"
        while cluster_id.startswith("-"):  # the storage tool would read a leading dash as an option
            cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        result = subprocess.run(
            [
                self._java(),
                "-cp",
                f"{self._libs}/*",
                *self._jvm_logging(),
                "kafka.tools.StorageTool",
                "format",
                "-t",
                cluster_id,
                "-c",
                str(config),
                "--standalone",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise TestbedError(
                self.name, f"formatting the KRaft storage failed: {result.stdout}{result.stderr}"
            )

    def _jvm_logging(self) -> list[str]:
        return [f"-Dlog4j2.configurationFile={self._dir / 'log4j2.properties'}"]

    def launch(self) -> ModelLaunch:
        return ModelLaunch(
            command=[
                self._java(),
                "-Xms256m",
                "-Xmx768m",
                "-XX:+UseG1GC",
                "-Djava.awt.headless=true",
                *self._jvm_logging(),
                "-cp",
                f"{self._libs}/*",
                "kafka.Kafka",
                str(self._dir / "server.properties"),
            ]
        )

    def probe(self) -> str:
        for port in (self._ports.kafka_plaintext, self._ports.kafka_sasl):
            if not port_open(port):
                raise ProbeFailedError(f"nothing listens on port {port} yet")
        credentials = self._context.credentials
        clients = {
            "PLAINTEXT": {"bootstrap.servers": f"127.0.0.1:{self._ports.kafka_plaintext}"},
            "SASL_PLAINTEXT": {
                "bootstrap.servers": f"127.0.0.1:{self._ports.kafka_sasl}",
                "security.protocol": "SASL_PLAINTEXT",
                "sasl.mechanism": "PLAIN",
                "sasl.username": credentials.kafka_sasl_username,
                "sasl.password": credentials.kafka_sasl_password,
            },
        }
        for listener, config in clients.items():
            admin = AdminClient({**config, "log_level": 0})
            try:
                metadata = admin.list_topics(timeout=3)
            except Exception as error:
                raise ProbeFailedError(f"{listener} listener does not answer metadata: {error}") from error
            if not metadata.brokers:
                raise ProbeFailedError(f"{listener} listener reports no brokers")
        return KAFKA_VERSION

    def after_ready(self) -> None:
        return None

    def client_env(self) -> dict[str, str]:
        credentials = self._context.credentials
        return {
            "ONEX_KAFKA_BOOTSTRAP": f"127.0.0.1:{self._ports.kafka_plaintext}",
            "ONEX_KAFKA_SASL_BOOTSTRAP": f"127.0.0.1:{self._ports.kafka_sasl}",
            "ONEX_KAFKA_SASL_MECHANISM": "PLAIN",
            "ONEX_KAFKA_SASL_USERNAME": credentials.kafka_sasl_username,
            "ONEX_KAFKA_SASL_PASSWORD": credentials.kafka_sasl_password,
        }
