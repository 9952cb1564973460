"""The operator's own settings: command-line flags with environment defaults."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ModelOperatorSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    namespaces: tuple[str, ...] = ()  # empty: every namespace
    drift_interval_seconds: float = 300.0
    retry_interval_seconds: float = 30.0  # how soon a resource that is not Ready is looked at again
    sweep_tick_seconds: float = 2.0
    hub_host: str = "0.0.0.0"  # noqa: S104 - probes and scrapes come from outside the pod
    hub_port: int = 8080
    peering_name: str | None = None  # set when more than one replica runs
    worker_limit: int = 2000
    watch_server_timeout_seconds: int = 300
