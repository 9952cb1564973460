"""An I/O operation an EFFECT node performs, with the timeout the runtime enforces on it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ModelIoOperation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str = Field(min_length=1)
    timeout_seconds: float = Field(gt=0, le=3600)
