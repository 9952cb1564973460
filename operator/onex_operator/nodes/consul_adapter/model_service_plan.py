"""The pure plan for one ConsulService: the registration to hold and the changes that lead there."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from onex_operator.nodes.consul_adapter.model_consul_registration import ModelConsulRegistration
from onex_operator.nodes.consul_adapter.model_service_change import ModelServiceChange


class ModelServicePlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    registration: ModelConsulRegistration
    changes: list[ModelServiceChange]
    refusals: list[str] = []

    @property
    def needs_register(self) -> bool:
        """Any change is one registration: Consul replaces a service (and, with
        replace-existing-checks, its checks) as a whole."""
        return bool(self.changes)
