"""One change to a Consul registration, by field or check name (no value that could be secret:
meta values and check URLs are named, not shown)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from onex_operator.nodes.consul_adapter.enum_service_change_kind import EnumServiceChangeKind


class ModelServiceChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: EnumServiceChangeKind
    service_id: str
    field: str = ""  # the field (UPDATE) or the check name (*_CHECK)
    old: str = ""  # for the plain fields (address, port, name, tags) only
    new: str = ""
    detail: str = ""

    def describe(self) -> str:
        kind = self.kind
        detail = f" ({self.detail})" if self.detail else ""
        if kind is EnumServiceChangeKind.UPDATE and (self.old or self.new):
            return f"~ {self.field} {self.old or '(none)'} -> {self.new or '(none)'}"
        templates = {
            EnumServiceChangeKind.REGISTER: f"+ service {self.service_id}{detail}",
            EnumServiceChangeKind.DEREGISTER: f"- service {self.service_id}",
            EnumServiceChangeKind.ADD_CHECK: f"+ check {self.field}",
            EnumServiceChangeKind.REMOVE_CHECK: f"- check {self.field}",
            EnumServiceChangeKind.UPDATE_CHECK: f"~ check {self.field}{detail}",
            EnumServiceChangeKind.UPDATE: f"~ {self.field}{detail}",
        }
        return templates[kind]
