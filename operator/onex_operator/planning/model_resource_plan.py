"""What the operator would do with one resource, and why."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, computed_field

from onex_operator.models.enum_managed_kind import EnumManagedKind
from onex_operator.models.enum_management_policy import EnumManagementPolicy
from onex_operator.nodes.consul_adapter.model_service_change import ModelServiceChange
from onex_operator.nodes.kafka_adapter.model_topic_change import ModelTopicChange
from onex_operator.nodes.vault_adapter.model_secret_change import ModelSecretChange
from onex_operator.planning.enum_plan_verdict import EnumPlanVerdict
from onex_operator.planning.model_plan_error import ModelPlanError
from onex_operator.planning.model_plan_step import ModelPlanStep

# The kinds' own change models keep their fields in JSON; any other change is a step in words.
# None of them carries a secret value (a VaultSecret change names its key only; a ConsulService change
# names a meta key or a check, never a meta value, a check's target or a token).
PlannedChange = ModelTopicChange | ModelSecretChange | ModelServiceChange | ModelPlanStep


class ModelResourcePlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: EnumManagedKind
    file: str
    document: int
    namespace: str
    name: str
    # the external object in words, as the operator's messages name it: "topic orders"
    external: str
    management_policy: EnumManagementPolicy
    verdict: EnumPlanVerdict
    # applying creates the external object (it does not exist yet)
    creates: bool = False
    # the connection's label (namespace/name, cluster/name or the bootstrap address) once resolved
    connection: str | None = None
    changes: list[PlannedChange] = []
    refusals: list[str] = []
    conflict: str | None = None
    # why an existing external object does or does not count as this resource's
    ownership: str | None = None
    error: ModelPlanError | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def descriptions(self) -> list[str]:
        """Each change as the operator's Events word it."""
        return [change.describe() for change in self.changes]
