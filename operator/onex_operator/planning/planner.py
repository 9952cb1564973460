"""Resources -> what the operator would do with each, in the operator's order of checks:
topicName immutable (the apiserver's rule) -> an older claimant of the topic -> resolve the
connection -> observe -> ownership -> the pure plan -> refusals -> Observe or Manage.

Nothing here writes: the only calls are Kubernetes reads and Kafka describes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Protocol
from uuid import UUID

from onex_operator.errors import RuntimeHostError
from onex_operator.models.enum_management_policy import EnumManagementPolicy
from onex_operator.nodes.kafka_adapter.claims import topic_name_of
from onex_operator.nodes.kafka_adapter.model_kafka_client_config import ModelKafkaClientConfig
from onex_operator.nodes.kafka_adapter.model_topic_change import ModelTopicChange
from onex_operator.nodes.kafka_adapter.model_topic_observation import ModelTopicObservation
from onex_operator.nodes.kafka_adapter.plan import plan_topic
from onex_operator.planning.claims import Claims
from onex_operator.planning.connections import ProtocolConnectionSource
from onex_operator.planning.enum_plan_verdict import EnumPlanVerdict
from onex_operator.planning.model_manifest_resource import ModelManifestResource
from onex_operator.planning.model_plan_error import ModelPlanError
from onex_operator.planning.model_resource_plan import ModelResourcePlan


class ProtocolTopicDescriber(Protocol):
    async def describe(self, topic: str, correlation_id: UUID) -> ModelTopicObservation | None: ...


DescriberFor = Callable[[ModelKafkaClientConfig], ProtocolTopicDescriber]


class Planner:
    def __init__(
        self,
        connections: ProtocolConnectionSource,
        describer_for: DescriberFor,
        claims: Claims,
        correlation_id: UUID,
    ) -> None:
        self._connections = connections
        self._describer_for = describer_for
        self._claims = claims
        self._correlation_id = correlation_id

    async def plan(self, resources: Sequence[ModelManifestResource]) -> list[ModelResourcePlan]:
        # concurrently, so the admin client's batcher sends one describe for all topics
        return list(await asyncio.gather(*(self._plan_one(resource) for resource in resources)))

    async def _plan_one(self, resource: ModelManifestResource) -> ModelResourcePlan:
        topic = topic_name_of(dict(resource.body))
        blocked = self._blocked_in_cluster(resource, topic)
        if blocked is not None:
            return blocked
        try:
            connection, config = await self._connections.resolve(resource)
        except RuntimeHostError as error:
            return _result(resource, topic, EnumPlanVerdict.ERROR, error=ModelPlanError.of(error))
        try:
            observed = await self._describer_for(config).describe(topic, self._correlation_id)
        except RuntimeHostError as error:
            error_plan = ModelPlanError.of(error)
            return _result(resource, topic, EnumPlanVerdict.ERROR, connection=connection, error=error_plan)
        return self._against_kafka(resource, topic, connection, observed)

    def _blocked_in_cluster(self, resource: ModelManifestResource, topic: str) -> ModelResourcePlan | None:
        """What the apiserver or the operator stops before Kafka is even asked."""
        live = self._claims.live_of(resource)
        if live is not None and (live_topic := topic_name_of(live)) != topic:
            refusal = (
                f"topicName is immutable: KafkaTopic {resource.label} manages topic {live_topic}; "
                "create a new KafkaTopic for another topic"
            )
            return _result(resource, topic, EnumPlanVerdict.REFUSED, refusals=[refusal])
        owner = self._claims.older_claimant(resource)
        if owner is not None:
            conflict = f"topic {topic} is already claimed by {owner}; the oldest resource manages a topic"
            return _result(resource, topic, EnumPlanVerdict.CONFLICT, conflict=conflict)
        return None

    def _against_kafka(
        self,
        resource: ModelManifestResource,
        topic: str,
        connection: str,
        observed: ModelTopicObservation | None,
    ) -> ModelResourcePlan:
        ownership = self._claims.explain(resource, observed) if observed is not None else None
        if observed is not None and not self._claims.ownership(resource).owns(topic, observed):
            conflict = (
                f"topic {topic} already exists in Kafka and was not created by this resource; "
                "set spec.adopt: true to manage it"
            )
            return _result(
                resource,
                topic,
                EnumPlanVerdict.CONFLICT,
                connection=connection,
                conflict=conflict,
                ownership=ownership,
            )
        plan = plan_topic(topic, resource.spec, observed)
        verdict = EnumPlanVerdict.IN_SYNC
        if plan.refusals:
            verdict = EnumPlanVerdict.REFUSED
        elif plan.changes and resource.spec.management_policy is EnumManagementPolicy.OBSERVE:
            verdict = EnumPlanVerdict.DRIFT
        elif plan.changes:
            verdict = EnumPlanVerdict.CHANGES
        return _result(
            resource,
            topic,
            verdict,
            connection=connection,
            changes=plan.changes,
            refusals=plan.refusals,
            ownership=ownership,
        )


def _result(
    resource: ModelManifestResource,
    topic: str,
    verdict: EnumPlanVerdict,
    *,
    connection: str | None = None,
    changes: list[ModelTopicChange] | None = None,
    refusals: list[str] | None = None,
    conflict: str | None = None,
    ownership: str | None = None,
    error: ModelPlanError | None = None,
) -> ModelResourcePlan:
    return ModelResourcePlan(
        file=resource.file,
        document=resource.document,
        namespace=resource.namespace,
        name=resource.name,
        topic=topic,
        management_policy=resource.spec.management_policy,
        verdict=verdict,
        connection=connection,
        changes=changes or [],
        refusals=refusals or [],
        conflict=conflict,
        ownership=ownership,
        error=error,
    )
