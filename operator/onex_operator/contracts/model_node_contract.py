"""An ONEX node contract: identity, type, models, dependencies, I/O operations and API surface."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from onex_operator.contracts.enum_node_type import EnumNodeType
from onex_operator.contracts.model_contract_dependency import ModelContractDependency
from onex_operator.contracts.model_io_operation import ModelIoOperation
from onex_operator.contracts.model_kubernetes_section import ModelKubernetesSection
from onex_operator.contracts.model_schema import ModelSchema

_SEMVER = r"^[0-9]+\.[0-9]+\.[0-9]+$"


class ModelNodeContract(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    contract_version: str = Field(pattern=_SEMVER)
    node_name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    node_version: str = Field(pattern=_SEMVER)
    contract_name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str = Field(min_length=1)
    node_type: EnumNodeType
    input_model: str
    output_model: str
    dependencies: list[ModelContractDependency]
    io_operations: list[ModelIoOperation] = Field(default_factory=list)
    kubernetes: ModelKubernetesSection | None = None
    definitions: dict[str, ModelSchema] = Field(min_length=1)
