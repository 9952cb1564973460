"""The operator's own settings: command-line flags with environment defaults."""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

IN_CLUSTER_TOKEN = Path("/var/run/secrets/kubernetes.io/serviceaccount/token")


class ModelOperatorSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    namespaces: tuple[str, ...] = ()  # empty: every namespace
    drift_interval_seconds: float = 300.0
    retry_interval_seconds: float = 30.0  # how soon a resource that is not Ready is looked at again
    sweep_tick_seconds: float = 2.0
    hub_host: str = "0.0.0.0"  # noqa: S104 - probes and scrapes come from outside the pod
    hub_port: int = 8080
    peering_name: str | None = None  # set when more than one replica runs
    # kopf pauses every peer of equal priority: distinct ones let the highest work, the others wait
    peering_priority: int = Field(default_factory=lambda: secrets.randbelow(2**31 - 1) + 1)
    worker_limit: int = 2000
    watch_server_timeout_seconds: int = 300
    operator_namespace: str = "default"  # where the operator keeps its own Secrets (the hash key)
    hash_key_secret: str = "onex-infra-operator-hash-key"
    # Vault's Kubernetes auth logs in with this token (projected into the pod in a cluster)
    service_account_token_path: Path = IN_CLUSTER_TOKEN
