"""etcd, the kube-apiserver's storage, built from go.etcd.io/etcd/server/v3."""

from __future__ import annotations

from onex_operator.testbed.components.base import TestbedContext
from onex_operator.testbed.http_probe import ProbeFailedError, get_json
from onex_operator.testbed.obtain import ModelGoBuild, ensure_go_build, go_binary_dir
from onex_operator.testbed.processes import ModelLaunch
from onex_operator.testbed.settings import ETCD_VERSION

ETCD_BUILD = ModelGoBuild(
    component="etcd",
    module_dir="etcd",
    version=ETCD_VERSION,
    packages=["go.etcd.io/etcd/server/v3"],
    renames={"server": "etcd"},
)


class EtcdComponent:
    name = "etcd"
    depends_on: tuple[str, ...] = ()

    def __init__(self, context: TestbedContext) -> None:
        self._context = context
        self._ports = context.settings.ports

    def ports(self) -> list[int]:
        return [self._ports.etcd_client, self._ports.etcd_peer]

    def obtain(self) -> None:
        ensure_go_build(ETCD_BUILD, self._context.settings.cache_dir, self._context.progress)

    def prepare(self) -> None:
        self._context.data_dir(self.name)

    def launch(self) -> ModelLaunch:
        binary = go_binary_dir(self._context.settings.cache_dir, ETCD_BUILD) / "etcd"
        client = f"http://127.0.0.1:{self._ports.etcd_client}"
        peer = f"http://127.0.0.1:{self._ports.etcd_peer}"
        return ModelLaunch(
            command=[
                str(binary),
                "--name=onex-testbed",
                f"--data-dir={self._context.data_dir(self.name) / 'data'}",
                f"--listen-client-urls={client}",
                f"--advertise-client-urls={client}",
                f"--listen-peer-urls={peer}",
                f"--initial-advertise-peer-urls={peer}",
                f"--initial-cluster=onex-testbed={peer}",
                "--log-level=warn",
                # a throw-away store: durability is not worth the fsync latency on a shared disk
                "--unsafe-no-fsync",
            ]
        )

    def probe(self) -> str:
        base = f"http://127.0.0.1:{self._ports.etcd_client}"
        health = get_json(f"{base}/health")
        if health.get("health") != "true":
            raise ProbeFailedError(f"etcd reports health {health.get('health')!r}")
        return str(get_json(f"{base}/version").get("etcdserver", "?"))

    def after_ready(self) -> None:
        return None

    def client_env(self) -> dict[str, str]:
        return {}
