"""One CEL rule (`x-kubernetes-validations`) as a contract states it and the CRD carries it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ModelValidationRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_by_name=True, serialize_by_alias=True)

    rule: str = Field(min_length=1)
    message: str = Field(min_length=1)
    field_path: str | None = Field(default=None, alias="fieldPath")
    reason: (
        Literal["FieldValueInvalid", "FieldValueForbidden", "FieldValueRequired", "FieldValueDuplicate"]
        | None
    ) = None

    @property
    def is_transition_rule(self) -> bool:
        """A rule reading `oldSelf` only runs on updates, where the old value exists."""
        return "oldSelf" in self.rule
