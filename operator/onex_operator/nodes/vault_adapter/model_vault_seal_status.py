"""Whether the server can serve secrets: initialized and unsealed."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ModelVaultSealStatus(BaseModel):
    model_config = ConfigDict(frozen=True)

    initialized: bool
    sealed: bool
    version: str = ""
    # Shamir unseal progress (keys given so far / keys needed)
    progress: int = 0
    threshold: int = 0

    @property
    def ready(self) -> bool:
        return self.initialized and not self.sealed
