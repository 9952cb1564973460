"""A document of a kind the plan does not cover: listed, not planned."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ModelSkippedDocument(BaseModel):
    model_config = ConfigDict(frozen=True)

    file: str
    document: int
    resource: str

    def __str__(self) -> str:
        return f"{self.file}: document {self.document} ({self.resource})"
