"""The `kubernetes` extension of an ONEX contract: the API group and the kinds the node serves."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from onex_operator.contracts.model_kubernetes_resource import ModelKubernetesResource


class ModelKubernetesSection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    group: str = Field(pattern=r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$")
    version: str = Field(pattern=r"^v[0-9]+((alpha|beta)[0-9]+)?$")
    resources: list[ModelKubernetesResource] = Field(min_length=1)
