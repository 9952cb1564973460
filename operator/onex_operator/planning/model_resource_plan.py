"""What the operator would do with one KafkaTopic resource, and why."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, computed_field

from onex_operator.models.enum_management_policy import EnumManagementPolicy
from onex_operator.nodes.kafka_adapter.model_topic_change import ModelTopicChange
from onex_operator.planning.enum_plan_verdict import EnumPlanVerdict
from onex_operator.planning.model_plan_error import ModelPlanError


class ModelResourcePlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    file: str
    document: int
    namespace: str
    name: str
    topic: str
    management_policy: EnumManagementPolicy
    verdict: EnumPlanVerdict
    # the connection's label (namespace/name, cluster/name or the bootstrap address) once resolved
    connection: str | None = None
    changes: list[ModelTopicChange] = []
    refusals: list[str] = []
    conflict: str | None = None
    # why an existing topic does or does not count as this resource's
    ownership: str | None = None
    error: ModelPlanError | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def descriptions(self) -> list[str]:
        """Each change as the operator's Events word it."""
        return [change.describe() for change in self.changes]
