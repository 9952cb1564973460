"""A change a plan shows only in words (as the adapter describes it): a step beside a kind's own
change models, such as recording ownership or syncing a target Secret."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class ModelPlanStep(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Literal["step"] = "step"
    text: str

    def describe(self) -> str:
        return self.text
