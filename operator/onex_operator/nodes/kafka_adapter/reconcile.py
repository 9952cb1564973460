"""One KafkaTopic: observe -> ownership -> pure plan -> apply (Manage) or report (Observe).

Ownership without metadata on topics: a topic is this resource's when its id equals status.topicId,
or when status.topicName names it and no id was recorded yet (the operator writes topicName before
it creates a topic, so a restart between the two finds the topic its own), or when adopt is set.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from uuid import UUID

from onex_operator.errors import ModelInfraErrorContext, ProtocolConfigurationError
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType
from onex_operator.models.enum_management_policy import EnumManagementPolicy
from onex_operator.models.model_kafka_topic_spec import ModelKafkaTopicSpec
from onex_operator.nodes.kafka_adapter.admin import KafkaTopicAdmin
from onex_operator.nodes.kafka_adapter.enum_topic_change_kind import EnumTopicChangeKind
from onex_operator.nodes.kafka_adapter.model_topic_observation import ModelTopicObservation
from onex_operator.nodes.kafka_adapter.model_topic_plan import ModelTopicPlan
from onex_operator.nodes.kafka_adapter.plan import plan_topic


@dataclass(frozen=True)
class TopicOwnership:
    recorded_topic_name: str | None
    recorded_topic_id: str | None
    adopt: bool

    def owns(self, topic: str, observed: ModelTopicObservation) -> bool:
        if self.adopt or (self.recorded_topic_id and self.recorded_topic_id == observed.topic_id):
            return True
        return not self.recorded_topic_id and self.recorded_topic_name == topic


@dataclass
class TopicOutcome:
    """What happened to one topic; `conflict` and `drift` are domain outcomes, not errors."""

    topic: str
    observed: ModelTopicObservation | None = None
    applied: list[str] = field(default_factory=list)
    drift: list[str] = field(default_factory=list)
    conflict: str | None = None
    created: bool = False


def _refusal(
    topic: str, plan: ModelTopicPlan, target: str, correlation_id: UUID
) -> ProtocolConfigurationError:
    return ProtocolConfigurationError(
        "; ".join(plan.refusals),
        context=ModelInfraErrorContext(
            transport_type=EnumInfraTransportType.KAFKA,
            operation="plan",
            target_name=f"{target}/{topic}",
            correlation_id=correlation_id,
        ),
    )


async def reconcile_topic(
    admin: KafkaTopicAdmin,
    *,
    topic: str,
    spec: ModelKafkaTopicSpec,
    ownership: TopicOwnership,
    correlation_id: UUID,
    before_apply: Callable[[bool], Awaitable[None]],
) -> TopicOutcome:
    """`before_apply(creating)` runs once there is something to write: it reports Reconciling and,
    when the topic is about to be created, records the claim on it (status.topicName) first."""
    outcome = TopicOutcome(topic=topic)
    observed = await admin.describe(topic, correlation_id)
    outcome.observed = observed
    if observed is not None and not ownership.owns(topic, observed):
        outcome.conflict = (
            f"topic {topic} already exists in Kafka and was not created by this resource; "
            "set spec.adopt: true to manage it"
        )
        return outcome
    plan = plan_topic(topic, spec, observed)
    if plan.refusals:
        raise _refusal(topic, plan, admin.target, correlation_id)
    if spec.management_policy is EnumManagementPolicy.OBSERVE:
        outcome.drift = [change.describe() for change in plan.changes]
        return outcome
    if plan.changes:
        await before_apply(observed is None)
    await _apply(admin, plan, correlation_id)
    outcome.applied = [change.describe() for change in plan.changes]
    if any(change.kind is EnumTopicChangeKind.CREATE for change in plan.changes):
        outcome.created = True
        outcome.observed = await admin.describe(topic, correlation_id)
    elif observed is not None and plan.changes:
        outcome.observed = _expected(observed, spec)
    return outcome


async def _apply(admin: KafkaTopicAdmin, plan: ModelTopicPlan, correlation_id: UUID) -> None:
    set_config: dict[str, str] = {}
    delete_config: list[str] = []
    for change in plan.changes:
        if change.kind is EnumTopicChangeKind.CREATE:
            await admin.create(
                change.topic, change.partitions, change.replication_factor, change.config, correlation_id
            )
        elif change.kind is EnumTopicChangeKind.ADD_PARTITIONS and change.partitions is not None:
            await admin.add_partitions(change.topic, change.partitions, correlation_id)
        elif (
            change.kind is EnumTopicChangeKind.SET_CONFIG
            and change.config_key
            and change.new_value is not None
        ):
            set_config[change.config_key] = change.new_value
        elif change.kind is EnumTopicChangeKind.DELETE_CONFIG and change.config_key:
            delete_config.append(change.config_key)
    if set_config or delete_config:
        await admin.alter_config(plan.topic, set_config, delete_config, correlation_id)


def _expected(observed: ModelTopicObservation, spec: ModelKafkaTopicSpec) -> ModelTopicObservation:
    """What the topic is after applied changes (Kafka's metadata may lag a few milliseconds)."""
    partitions = spec.partitions if spec.partitions is not None else observed.partitions
    return observed.model_copy(update={"partitions": max(partitions, observed.partitions)})
