"""KafkaTopic as a managed-resource adapter: observe a topic, plan it (pure), apply the plan,
delete it. Ownership is read from status (nodes/kafka_adapter/ownership.py)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from onex_operator.container import ONEXContainer
from onex_operator.kube.api import JsonObject
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType
from onex_operator.models.enum_managed_kind import EnumManagedKind
from onex_operator.models.model_kafka_topic_spec import ModelKafkaTopicSpec
from onex_operator.nodes.infrastructure_reducer.model_reconcile_result import StatusFields
from onex_operator.nodes.kafka_adapter.admin import KafkaTopicAdmin
from onex_operator.nodes.kafka_adapter.claims import claim_key, topic_name_of
from onex_operator.nodes.kafka_adapter.connection import kafka_client_config
from onex_operator.nodes.kafka_adapter.enum_topic_change_kind import EnumTopicChangeKind
from onex_operator.nodes.kafka_adapter.model_topic_observation import ModelTopicObservation
from onex_operator.nodes.kafka_adapter.model_topic_plan import ModelTopicPlan
from onex_operator.nodes.kafka_adapter.ownership import TopicOwnership
from onex_operator.nodes.kafka_adapter.plan import plan_topic
from onex_operator.runtime.managed.adapter import EnumOwnership, Ownership
from onex_operator.runtime.managed.envelope import ManagedResource

TopicResource = ManagedResource[ModelKafkaTopicSpec]


@dataclass(frozen=True)
class KafkaSession:
    label: str  # the connection, as namespace/name or cluster/name
    admin: KafkaTopicAdmin


class KafkaTopicAdapter:
    kind = EnumManagedKind.KAFKA_TOPIC
    plural = "kafkatopics"
    transport = EnumInfraTransportType.KAFKA

    def __init__(self, container: ONEXContainer) -> None:
        self._container = container

    def parse_spec(self, raw: JsonObject) -> ModelKafkaTopicSpec:
        return ModelKafkaTopicSpec.model_validate(raw)

    def claim_key(self, body: JsonObject) -> str:
        return claim_key(body)

    def external_name(self, resource: TopicResource) -> str:
        return f"topic {topic_name_of(resource.body)}"

    def secret_refs(self, resource: TopicResource) -> set[str]:
        return set()  # a topic reads no Secret of its own; its connection's are the connection's

    async def connect(self, resource: TopicResource, correlation_id: UUID) -> KafkaSession:
        container = self._container
        spec = resource.spec
        label, config = await container.kafka_connections.get(
            (resource.namespace, spec.connection_ref),
            lambda: kafka_client_config(
                container.kube, resource.namespace, spec.connection_ref, correlation_id
            ),
        )
        return KafkaSession(label, container.kafka_admin(label, config))

    def connection_label(self, session: KafkaSession) -> str:
        return session.label

    async def inputs(self, session: KafkaSession, resource: TopicResource, correlation_id: UUID) -> None:
        return None

    async def observe(
        self, session: KafkaSession, resource: TopicResource, correlation_id: UUID
    ) -> ModelTopicObservation | None:
        return await session.admin.describe(topic_name_of(resource.body), correlation_id)

    def ownership(
        self, resource: TopicResource, observed: ModelTopicObservation | None, status: JsonObject
    ) -> Ownership:
        if observed is None:
            return Ownership(EnumOwnership.ABSENT)
        if TopicOwnership.of(status, resource.spec.adopt).owns(observed.name, observed):
            return Ownership(EnumOwnership.OURS)
        return Ownership(EnumOwnership.FOREIGN)

    def plan(
        self,
        resource: TopicResource,
        inputs: None,
        observed: ModelTopicObservation | None,
        status: JsonObject,
        ownership: Ownership,
    ) -> ModelTopicPlan:
        return plan_topic(topic_name_of(resource.body), resource.spec, observed)

    def claim(self, resource: TopicResource, plan: ModelTopicPlan) -> StatusFields:
        creating = any(change.kind is EnumTopicChangeKind.CREATE for change in plan.changes)
        return {"topicName": plan.topic} if creating else {}

    async def apply(
        self,
        session: KafkaSession,
        resource: TopicResource,
        plan: ModelTopicPlan,
        observed: ModelTopicObservation | None,
        correlation_id: UUID,
    ) -> ModelTopicObservation | None:
        set_config: dict[str, str] = {}
        delete_config: list[str] = []
        created = False
        for change in plan.changes:
            if change.kind is EnumTopicChangeKind.CREATE:
                await session.admin.create(
                    change.topic, change.partitions, change.replication_factor, change.config, correlation_id
                )
                created = True
            elif change.kind is EnumTopicChangeKind.ADD_PARTITIONS and change.partitions is not None:
                await session.admin.add_partitions(change.topic, change.partitions, correlation_id)
            elif (
                change.kind is EnumTopicChangeKind.SET_CONFIG
                and change.config_key
                and change.new_value is not None
            ):
                set_config[change.config_key] = change.new_value
            elif change.kind is EnumTopicChangeKind.DELETE_CONFIG and change.config_key:
                delete_config.append(change.config_key)
        if set_config or delete_config:
            await session.admin.alter_config(plan.topic, set_config, delete_config, correlation_id)
        if created or observed is None:
            return await session.admin.describe(plan.topic, correlation_id)
        return _expected(observed, resource.spec)

    def status_fields(self, resource: TopicResource, observed: ModelTopicObservation | None) -> StatusFields:
        fields: StatusFields = {"topicName": topic_name_of(resource.body)}
        if observed is not None:
            fields |= {
                "topicId": observed.topic_id,
                "partitions": observed.partitions,
                "replicationFactor": observed.replication_factor,
            }
        return fields

    async def delete(
        self,
        session: KafkaSession,
        resource: TopicResource,
        observed: ModelTopicObservation | None,
        correlation_id: UUID,
    ) -> None:
        await session.admin.delete(topic_name_of(resource.body), correlation_id)


def _expected(observed: ModelTopicObservation, spec: ModelKafkaTopicSpec) -> ModelTopicObservation:
    """What the topic is after applied changes (Kafka's metadata may lag a few milliseconds)."""
    partitions = spec.partitions if spec.partitions is not None else observed.partitions
    return observed.model_copy(update={"partitions": max(partitions, observed.partitions)})
