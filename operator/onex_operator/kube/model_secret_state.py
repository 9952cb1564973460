"""A Kubernetes Secret as the operator reads it: values stay base64, as stored."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ModelSecretState(BaseModel):
    model_config = ConfigDict(frozen=True)

    data: dict[str, str] = Field(repr=False)
    labels: dict[str, str]
    owner_uids: list[str]
    resource_version: str
