"""One connection's reachability over one transport as /services reports it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class ModelServiceHealth(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # "namespace/name" for an InfraConnection, "cluster/name" for a ClusterInfraConnection.
    connection: str
    transport: str
    reachable: bool
    last_error_class: str | None
    # Sanitized before it is stored.
    detail: str = ""
    last_checked: datetime
