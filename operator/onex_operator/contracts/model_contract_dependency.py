"""Something a node needs: another contract (whose definitions it may $ref), a service or a protocol."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from onex_operator.contracts.enum_dependency_kind import EnumDependencyKind


class ModelContractDependency(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    kind: EnumDependencyKind
    description: str = Field(min_length=1)
