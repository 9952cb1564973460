"""What Vault holds at one KV path. Values are excluded from repr; they are registered with the
sanitizer when read."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ModelVaultObservation(BaseModel):
    model_config = ConfigDict(frozen=True)

    mount: str
    path: str
    kv_version: Literal[1, 2]
    # The current version's key/value pairs; empty when it is deleted or destroyed, or when the
    # secret has metadata but no version yet. Values that are not strings in Vault are given as their
    # JSON text.
    data: dict[str, str] = Field(default_factory=dict, repr=False)
    # KV v2: the current version (0: metadata but no version yet); KV v1: None
    version: int | None = None
    # KV v2 custom_metadata (ownership); always empty on KV v1
    custom_metadata: dict[str, str] = Field(default_factory=dict)
    # KV v2: the current version is soft-deleted (undeletable) or destroyed (gone for good)
    deleted: bool = False
    destroyed: bool = False

    @property
    def has_data(self) -> bool:
        return not self.deleted and not self.destroyed and bool(self.data)
