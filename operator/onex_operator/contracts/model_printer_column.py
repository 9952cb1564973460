"""An `additionalPrinterColumns` entry: what `kubectl get` shows for a resource."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from onex_operator.contracts.enum_printer_column_type import EnumPrinterColumnType


class ModelPrinterColumn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    type: EnumPrinterColumnType
    json_path: str = Field(pattern=r"^\.")
    description: str = Field(min_length=1)
    priority: int = Field(default=0, ge=0)
