"""The registration a ConsulService asks for, in Consul's terms: what `register_service` sends.

Consul's API never returns a check's definition (its URL, address or TTL), only its name, type,
interval and timeout. So each check carries, in its Notes, a fingerprint of its whole definition:
a check changed out of band (re-registered without our notes, or with another definition) is seen.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from onex_operator.nodes.consul_adapter.enum_consul_check_kind import EnumConsulCheckKind


class ModelConsulCheckDefinition(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    check_id: str
    name: str
    kind: EnumConsulCheckKind
    target: str  # the URL (http), host:port (tcp) or the TTL (ttl)
    interval: str | None = None
    timeout: str | None = None
    deregister_critical_service_after: str | None = None
    notes: str  # "onex-infra-operator definition <fingerprint>"

    def payload(self) -> dict[str, object]:
        body: dict[str, object] = {"CheckID": self.check_id, "Name": self.name, "Notes": self.notes}
        body[self.kind.value.upper()] = self.target
        if self.interval is not None:
            body["Interval"] = self.interval
        if self.timeout is not None:
            body["Timeout"] = self.timeout
        if self.deregister_critical_service_after is not None:
            body["DeregisterCriticalServiceAfter"] = self.deregister_critical_service_after
        return body


class ModelConsulRegistration(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    service_id: str
    name: str
    address: str  # "" lets the agent use its own address
    port: int
    tags: tuple[str, ...]
    meta: dict[str, str]  # the spec's meta and the operator's ownership keys
    checks: tuple[ModelConsulCheckDefinition, ...]
