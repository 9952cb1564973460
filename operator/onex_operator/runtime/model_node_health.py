"""One ONEX node's health as /nodes reports it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ModelNodeHealth(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    node_type: str
    contract_version: str
    healthy: bool
    # Sanitized before it is stored.
    detail: str = ""
