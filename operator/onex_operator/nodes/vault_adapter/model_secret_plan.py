"""The pure plan for one KV secret: the full data to hold and the changes that lead there."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from onex_operator.nodes.vault_adapter.model_secret_change import ModelSecretChange


class ModelSecretPlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    # The secret's whole content after the plan (what a write sends: KV writes replace the version).
    # Also what the target Secret and the status hash are made from when nothing is written.
    data: dict[str, str] = Field(repr=False)
    # keys the spec names (literal, valueFrom and generated): what status reports as managed
    managed_keys: list[str]
    changes: list[ModelSecretChange]

    @property
    def needs_write(self) -> bool:
        return bool(self.changes)

    def describe(self) -> list[str]:
        return [change.describe() for change in self.changes]
