"""What every infrastructure error carries: which transport, operation and target, and the reconcile's
correlation id. Built only from safe values; free text is sanitized on the way in."""

from __future__ import annotations

from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field, field_validator

from onex_operator.errors.sanitizer import sanitize
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType


class ModelInfraErrorContext(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    transport_type: EnumInfraTransportType
    operation: str = Field(min_length=1, max_length=128)
    target_name: str = Field(default="", max_length=512)
    # A reconcile makes one id and hands it down; a context made without one gets a fresh uuid4.
    correlation_id: UUID = Field(default_factory=uuid4)
    # Further safe fields (partition counts, ports, versions) for status messages and logs.
    extra: dict[str, str | int | float | bool] = Field(default_factory=dict)

    @field_validator("target_name")
    @classmethod
    def _sanitize_target(cls, value: str) -> str:
        # Targets are often built from URLs or DSNs; the credentials in them must not travel on.
        return sanitize(value)

    @field_validator("extra")
    @classmethod
    def _sanitize_extra(
        cls, value: dict[str, str | int | float | bool]
    ) -> dict[str, str | int | float | bool]:
        return {key: sanitize(item) if isinstance(item, str) else item for key, item in value.items()}
