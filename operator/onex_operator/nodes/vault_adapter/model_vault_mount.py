"""The secrets engine at a mount, as far as the KV client needs it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ModelVaultMount(BaseModel):
    model_config = ConfigDict(frozen=True)

    path: str  # without the trailing slash
    engine_type: str  # "kv" for the KV engine (also "generic", KV v1's old name)
    kv_version: int | None  # 1 or 2 for a KV engine
