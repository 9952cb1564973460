"""A classified error, as a plan reports it: the class, the sanitized message and its context."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict

from onex_operator.errors import RuntimeHostError, classify
from onex_operator.models.enum_infra_error_class import EnumInfraErrorClass


class ModelPlanError(BaseModel):
    model_config = ConfigDict(frozen=True)

    error_class: EnumInfraErrorClass
    # sanitized when the error was made (OnexError)
    message: str
    transport: str
    operation: str
    target: str
    correlation_id: UUID

    @classmethod
    def of(cls, error: RuntimeHostError) -> ModelPlanError:
        context = error.context
        return cls(
            error_class=classify(error).error_class,
            message=error.message,
            transport=context.transport_type.value,
            operation=context.operation,
            target=context.target_name,
            correlation_id=context.correlation_id,
        )

    def __str__(self) -> str:
        return f"{self.error_class.value}: {self.message} (operation {self.operation}, target {self.target})"
