"""Everything needed to talk to one Consul agent as one identity.

Frozen and comparable: a changed token makes an unequal config, so a cached client is replaced. The
token is a `SecretStr`: neither repr nor str shows it (equality still compares it).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr

_DEFAULT_PORTS = {"http": 8500, "https": 8501}


class ModelConsulClientConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    address: str = Field(min_length=1)  # http(s)://host:port, as the connection gives it
    datacenter: str | None = None
    token: SecretStr | None = None

    @property
    def target(self) -> str:
        """The agent's address without a trailing slash, for error targets and logs."""
        return self.address.rstrip("/")

    @property
    def scheme(self) -> str:
        return urlsplit(self.address).scheme or "http"

    @property
    def host(self) -> str:
        return urlsplit(self.address).hostname or "127.0.0.1"

    @property
    def port(self) -> int:
        return urlsplit(self.address).port or _DEFAULT_PORTS.get(self.scheme, 8500)
