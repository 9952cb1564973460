"""One custom resource kind a contract exposes: its names, scope, models and columns."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from onex_operator.contracts.enum_resource_scope import EnumResourceScope
from onex_operator.contracts.model_printer_column import ModelPrinterColumn
from onex_operator.contracts.model_validation_rule import ModelValidationRule


class ModelKubernetesResource(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str = Field(pattern=r"^[A-Z][A-Za-z0-9]*$")
    plural: str = Field(pattern=r"^[a-z][a-z0-9]*$")
    singular: str = Field(pattern=r"^[a-z][a-z0-9]*$")
    short_names: list[str] = Field(default_factory=list)
    categories: list[str] = Field(min_length=1)
    scope: EnumResourceScope
    description: str = Field(min_length=1)
    spec_model: str
    status_model: str
    printer_columns: list[ModelPrinterColumn] = Field(default_factory=list)
    # Rules on the whole object: the only place where CEL sees metadata.name next to the spec.
    validations: list[ModelValidationRule] = Field(default_factory=list)
