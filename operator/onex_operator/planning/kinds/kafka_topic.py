"""KafkaTopic in a plan: topicName is immutable, ownership is recorded in the live status, the
changes print like a diff, and `--bootstrap` reaches a PLAINTEXT broker without Kubernetes."""

from __future__ import annotations

import json
from uuid import UUID

from onex_operator.container import ONEXContainer
from onex_operator.kube.api import JsonObject
from onex_operator.models.enum_kafka_security_protocol import EnumKafkaSecurityProtocol
from onex_operator.models.model_kafka_topic_spec import ModelKafkaTopicSpec
from onex_operator.nodes.kafka_adapter.adapter import KafkaSession
from onex_operator.nodes.kafka_adapter.claims import topic_name_of
from onex_operator.nodes.kafka_adapter.enum_topic_change_kind import EnumTopicChangeKind
from onex_operator.nodes.kafka_adapter.model_kafka_client_config import ModelKafkaClientConfig
from onex_operator.nodes.kafka_adapter.model_topic_change import ModelTopicChange
from onex_operator.nodes.kafka_adapter.model_topic_observation import ModelTopicObservation
from onex_operator.nodes.kafka_adapter.model_topic_plan import ModelTopicPlan
from onex_operator.nodes.kafka_adapter.ownership import TopicOwnership
from onex_operator.planning.connectors import Connect
from onex_operator.planning.model_resource_plan import PlannedChange
from onex_operator.runtime.managed.adapter import Ownership
from onex_operator.runtime.managed.envelope import ManagedResource

TopicResource = ManagedResource[ModelKafkaTopicSpec]

OWNERSHIP_NOTE = (
    "a file has no status: an existing topic counts as a resource's own only when spec.adopt is true "
    "or the live KafkaTopic of the same name records it in status.topicId (or status.topicName before "
    "the id is known); otherwise the operator reports ResourceConflict and leaves the topic alone"
)


class KafkaTopicPresentation:
    noun = "topic"
    ownership_note = OWNERSHIP_NOTE

    def refusal(self, resource: TopicResource, live: JsonObject | None) -> str | None:
        if live is None or (live_topic := topic_name_of(live)) == topic_name_of(resource.body):
            return None
        return (
            f"topicName is immutable: KafkaTopic {resource.label} manages topic {live_topic}; "
            "create a new KafkaTopic for another topic"
        )

    def explain(
        self,
        resource: TopicResource,
        observed: ModelTopicObservation | None,
        ownership: Ownership,
        unseen: str | None,
    ) -> str | None:
        if observed is None:
            return None
        recorded = TopicOwnership.of(resource.raw_status, resource.spec.adopt)
        if recorded.adopt:
            return "spec.adopt is true: the existing topic is taken over"
        if unseen is not None:
            return f"{unseen}, so no status records that this resource created the topic"
        return _what_status_records(f"the live KafkaTopic {resource.label}", recorded, observed)

    def changes(self, plan: ModelTopicPlan) -> list[PlannedChange]:
        return [*plan.changes]


def _what_status_records(live: str, recorded: TopicOwnership, observed: ModelTopicObservation) -> str:
    if recorded.recorded_topic_id == observed.topic_id:
        return f"{live} records topicId {observed.topic_id} in its status"
    if recorded.recorded_topic_id:
        return (
            f"{live} records topicId {recorded.recorded_topic_id}, but the topic in Kafka has "
            f"{observed.topic_id}: it was deleted and created again outside the operator"
        )
    if recorded.owns(observed.name, observed):
        return f"{live} records topicName {observed.name} (the operator claims a topic before creating it)"
    return f"{live} records no topic in its status"


def bootstrap_connect(
    container: ONEXContainer, bootstrap_servers: tuple[str, ...]
) -> Connect[ModelKafkaTopicSpec, KafkaSession]:
    """Every KafkaTopic on one PLAINTEXT broker; Kubernetes is not involved."""
    config = ModelKafkaClientConfig(
        bootstrap_servers=bootstrap_servers, security_protocol=EnumKafkaSecurityProtocol.PLAINTEXT
    )

    async def connect(resource: TopicResource, correlation_id: UUID) -> KafkaSession:
        return KafkaSession(config.target, container.kafka_admin(config.target, config))

    return connect


def _quoted(value: str | None) -> str:
    return "(default)" if value is None else json.dumps(value)


def topic_change_lines(change: ModelTopicChange) -> list[str]:
    """A topic change as diff lines: values are shown, a topic's config is no secret."""
    if change.kind is EnumTopicChangeKind.CREATE:
        partitions = change.partitions if change.partitions is not None else "broker default"
        replicas = change.replication_factor if change.replication_factor is not None else "broker default"
        head = f"+ create topic {change.topic} (partitions {partitions}, replication factor {replicas})"
        return [head, *(f"    {key} = {_quoted(value)}" for key, value in sorted(change.config.items()))]
    if change.kind is EnumTopicChangeKind.ADD_PARTITIONS:
        return [f"+ add partitions: {change.old_value} -> {change.partitions}"]
    if change.kind is EnumTopicChangeKind.SET_CONFIG:
        return [f"~ set {change.config_key}: {_quoted(change.old_value)} -> {_quoted(change.new_value)}"]
    return [f"- remove {change.config_key} (was {_quoted(change.old_value)}; the broker default applies)"]
