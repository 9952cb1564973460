"""A service registration as the Consul agent reports it, with its checks."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from onex_operator.models.enum_consul_check_status import EnumConsulCheckStatus


class ModelConsulCheckObservation(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    check_id: str
    name: str
    kind: str  # Consul's Type: http, tcp, ttl, ... ("" for a check of unknown type)
    status: EnumConsulCheckStatus
    interval: str = ""
    timeout: str = ""
    notes: str = ""


class ModelConsulServiceObservation(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    service_id: str
    name: str
    address: str
    port: int
    tags: tuple[str, ...]
    meta: dict[str, str]
    checks: tuple[ModelConsulCheckObservation, ...]
