"""What an error means for a resource: its condition reason, and whether it stalls or is retried."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from onex_operator.errors.enum_retry_policy import EnumRetryPolicy
from onex_operator.models.enum_infra_error_class import EnumInfraErrorClass


class ModelErrorClassification(BaseModel):
    model_config = ConfigDict(frozen=True)

    error_class: EnumInfraErrorClass
    # Stalled: no progress is possible without a human change (kstatus reads this condition).
    stalled: bool
    retryable: bool
    retry_policy: EnumRetryPolicy

    @property
    def reason(self) -> str:
        """Condition reason: the error class name, CamelCase as metav1.Condition wants it."""
        return self.error_class.value
