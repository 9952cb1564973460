"""A Consul agent in dev mode with ACLs on (default deny), built from source (1.14.x, MPL-2.0).

Later Consul releases need modules that are not under an open-source licence, so the test-bed stays
on the last open-source line; the agent HTTP API the operator uses is unchanged since.
"""

from __future__ import annotations

import json

from onex_operator.testbed.components.base import TestbedContext
from onex_operator.testbed.http_probe import ProbeFailedError, get_json, get_text
from onex_operator.testbed.obtain import ModelGoBuild, ensure_go_build, go_binary_dir
from onex_operator.testbed.processes import ModelLaunch
from onex_operator.testbed.settings import CONSUL_VERSION

CONSUL_BUILD = ModelGoBuild(
    component="consul",
    module_dir="consul",
    version=CONSUL_VERSION,
    packages=["github.com/hashicorp/consul"],
    # old dependencies link against runtime internals a new Go toolchain no longer exports by default
    ldflags=f"-s -w -checklinkname=0 -X github.com/hashicorp/consul/version.Version={CONSUL_VERSION} "
    "-X github.com/hashicorp/consul/version.VersionPrerelease=",
)


class ConsulComponent:
    name = "consul"
    depends_on: tuple[str, ...] = ()

    def __init__(self, context: TestbedContext) -> None:
        self._context = context
        self._ports = context.settings.ports
        self._dir = context.settings.run_dir / self.name

    def ports(self) -> list[int]:
        ports = self._ports
        return [ports.consul_http, ports.consul_server, ports.consul_serf_lan, ports.consul_serf_wan]

    def obtain(self) -> None:
        ensure_go_build(CONSUL_BUILD, self._context.settings.cache_dir, self._context.progress)

    def prepare(self) -> None:
        self._dir.mkdir(parents=True, exist_ok=True)
        token = self._context.credentials.consul_management_token
        config = {
            "ports": {
                "http": self._ports.consul_http,
                "server": self._ports.consul_server,
                "serf_lan": self._ports.consul_serf_lan,
                "serf_wan": self._ports.consul_serf_wan,
                "dns": -1,
                "grpc": -1,
                "grpc_tls": -1,
            },
            "acl": {
                "enabled": True,
                "default_policy": "deny",
                "enable_token_persistence": False,
                "tokens": {"initial_management": token, "agent": token},
            },
        }
        path = self._dir / "consul.json"
        path.touch(mode=0o600, exist_ok=True)
        path.write_text(json.dumps(config, indent=2))

    def launch(self) -> ModelLaunch:
        return ModelLaunch(
            command=[
                str(go_binary_dir(self._context.settings.cache_dir, CONSUL_BUILD) / "consul"),
                "agent",
                "-dev",
                "-node=onex-testbed",
                "-bind=127.0.0.1",
                "-client=127.0.0.1",
                f"-config-file={self._dir / 'consul.json'}",
                "-log-level=warn",
            ],
            env={"CONSUL_DISABLE_CHECKPOINT": "1"},  # no phoning home from a closed network
        )

    def probe(self) -> str:
        base = f"http://127.0.0.1:{self._ports.consul_http}"
        if get_text(f"{base}/v1/status/leader").strip() in {"", '""'}:
            raise ProbeFailedError("no Consul leader elected yet")
        headers = {"X-Consul-Token": self._context.credentials.consul_management_token}
        # the management token resolves only once ACLs are bootstrapped on the new leader
        get_json(f"{base}/v1/acl/token/self", headers=headers)
        agent = get_json(f"{base}/v1/agent/self", headers=headers)
        config = agent.get("Config")
        return str(config.get("Version", "?")) if isinstance(config, dict) else "?"

    def after_ready(self) -> None:
        return None

    def client_env(self) -> dict[str, str]:
        return {
            "CONSUL_HTTP_ADDR": f"http://127.0.0.1:{self._ports.consul_http}",
            "CONSUL_HTTP_TOKEN": self._context.credentials.consul_management_token,
        }
