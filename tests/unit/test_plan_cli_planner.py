"""The plan's verdicts with fake connections and a fake Kafka: the operator's order of checks,
ownership from the live status, claimants, errors per resource."""

from __future__ import annotations

import asyncio
from uuid import UUID, uuid4

import pytest

from onex_operator.container import ONEXContainer
from onex_operator.errors import (
    InfraTimeoutError,
    ModelInfraErrorContext,
    RuntimeHostError,
    SecretResolutionError,
)
from onex_operator.kube.api import JsonObject, KubeApi
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType
from onex_operator.models.enum_managed_kind import EnumManagedKind
from onex_operator.models.model_kafka_topic_spec import ModelKafkaTopicSpec
from onex_operator.nodes.kafka_adapter.adapter import KafkaSession, KafkaTopicAdapter
from onex_operator.nodes.kafka_adapter.enum_topic_change_kind import EnumTopicChangeKind
from onex_operator.nodes.kafka_adapter.model_topic_observation import ModelTopicObservation
from onex_operator.planning.claims import Claims
from onex_operator.planning.connectors import Connect
from onex_operator.planning.enum_plan_verdict import EnumPlanVerdict
from onex_operator.planning.kinds.kafka_topic import KafkaTopicPresentation
from onex_operator.planning.kube_access import unconsulted
from onex_operator.planning.manifest_resource import ManifestResource
from onex_operator.planning.model_resource_plan import ModelResourcePlan
from onex_operator.planning.plan_container import PlanContainer
from onex_operator.planning.plan_kind import PlanKind
from onex_operator.runtime.managed.envelope import ManagedResource

pytestmark = pytest.mark.unit

KIND = EnumManagedKind.KAFKA_TOPIC


def _resource(name: str, position: int = 0, namespace: str = "team", **spec: object) -> ManifestResource:
    body: JsonObject = {
        "apiVersion": "infra.onex.dev/v1alpha1",
        "kind": "KafkaTopic",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }
    return ManifestResource(
        file="topics.yaml",
        document=position,
        kind=KIND,
        namespace=namespace,
        name=name,
        spec=ModelKafkaTopicSpec.model_validate(spec),
        body=body,
    )


def _live(name: str, created: str, status: dict[str, object] | None = None, **spec: object) -> JsonObject:
    return {
        "metadata": {"name": name, "namespace": "team", "creationTimestamp": created},
        "spec": spec,
        "status": status or {},
    }


def _topic(
    name: str, partitions: int = 3, topic_id: str = "id-1", config: dict[str, str] | None = None
) -> ModelTopicObservation:
    return ModelTopicObservation(
        name=name, topic_id=topic_id, partitions=partitions, replication_factor=1, dynamic_config=config or {}
    )


class FakeKafka:
    def __init__(self, *topics: ModelTopicObservation, error: RuntimeHostError | None = None) -> None:
        self.topics = {topic.name: topic for topic in topics}
        self.error = error
        self.described: list[str] = []

    async def connect(
        self, resource: ManagedResource[ModelKafkaTopicSpec], correlation_id: UUID
    ) -> KafkaSession:
        return KafkaSession("kafka:9092", self)  # duck-typed: describe is all a plan asks of the admin

    async def describe(self, topic: str, correlation_id: UUID) -> ModelTopicObservation | None:
        self.described.append(topic)
        if self.error is not None:
            raise self.error
        return self.topics.get(topic)


def _container() -> ONEXContainer:
    return PlanContainer(KubeApi(unconsulted("in unit tests", uuid4())))


async def _plan_with(
    connect: Connect[ModelKafkaTopicSpec, KafkaSession],
    resources: tuple[ManifestResource, ...],
    live: list[JsonObject] | None = None,
    unknown: str | None = None,
) -> list[ModelResourcePlan]:
    adapter = KafkaTopicAdapter(_container())
    kind = PlanKind(adapter, KafkaTopicPresentation(), connect)
    claims = Claims(KIND, adapter.claim_key, resources, live or [], unknown)
    return list(await asyncio.gather(*(kind.plan(resource, claims, uuid4()) for resource in resources)))


async def _plan(
    kafka: FakeKafka,
    *resources: ManifestResource,
    live: list[JsonObject] | None = None,
    unknown: str | None = None,
) -> list[ModelResourcePlan]:
    return await _plan_with(kafka.connect, resources, live, unknown)


async def test_a_missing_topic_is_created() -> None:
    (plan,) = await _plan(FakeKafka(), _resource("orders", partitions=6))
    assert plan.verdict is EnumPlanVerdict.CHANGES
    assert plan.connection == "kafka:9092"
    (change,) = plan.changes
    assert (change.kind, change.partitions) == (EnumTopicChangeKind.CREATE, 6)


async def test_an_existing_topic_without_status_is_a_conflict_and_says_why() -> None:
    (plan,) = await _plan(FakeKafka(_topic("orders")), _resource("orders"))
    assert plan.verdict is EnumPlanVerdict.CONFLICT
    assert plan.conflict is not None
    assert "set spec.adopt: true" in plan.conflict
    assert plan.ownership == (
        "KafkaTopic team/orders is not in the cluster, "
        "so no status records that this resource created the topic"
    )


async def test_without_kubernetes_the_reason_is_given() -> None:
    (plan,) = await _plan(
        FakeKafka(_topic("orders")), _resource("orders"), unknown="Kubernetes was not consulted"
    )
    assert plan.verdict is EnumPlanVerdict.CONFLICT
    assert plan.ownership is not None
    assert plan.ownership.startswith("Kubernetes was not consulted, so no status records")


async def test_adopt_takes_the_topic_and_plans_every_change() -> None:
    kafka = FakeKafka(_topic("orders", partitions=3, config={"retention.ms": "1000", "segment.ms": "100"}))
    resource = _resource("orders", adopt=True, partitions=6, config={"retention.ms": "604800000"})
    (plan,) = await _plan(kafka, resource)
    assert plan.verdict is EnumPlanVerdict.CHANGES
    assert plan.ownership == "spec.adopt is true: the existing topic is taken over"
    assert [change.describe() for change in plan.changes] == [
        "add partitions to orders: 3 -> 6",
        "set retention.ms on orders: '1000' -> '604800000'",
        "remove segment.ms from orders (was '100'; broker default applies)",
    ]


async def test_the_live_status_makes_the_topic_this_resources() -> None:
    live = [_live("orders", "2026-01-01T00:00:00Z", {"topicName": "orders", "topicId": "id-1"})]
    (plan,) = await _plan(FakeKafka(_topic("orders")), _resource("orders", partitions=3), live=live)
    assert plan.verdict is EnumPlanVerdict.IN_SYNC
    assert plan.ownership == "the live KafkaTopic team/orders records topicId id-1 in its status"


async def test_a_recorded_topic_name_without_id_is_a_claim() -> None:
    live = [_live("orders", "2026-01-01T00:00:00Z", {"topicName": "orders"})]
    (plan,) = await _plan(FakeKafka(_topic("orders")), _resource("orders"), live=live)
    assert plan.verdict is EnumPlanVerdict.IN_SYNC
    assert plan.ownership is not None
    assert "records topicName orders" in plan.ownership


async def test_a_recreated_topic_is_not_owned() -> None:
    live = [_live("orders", "2026-01-01T00:00:00Z", {"topicName": "orders", "topicId": "old"})]
    (plan,) = await _plan(FakeKafka(_topic("orders", topic_id="new")), _resource("orders"), live=live)
    assert plan.verdict is EnumPlanVerdict.CONFLICT
    assert plan.ownership is not None
    assert "records topicId old, but the topic in Kafka has new" in plan.ownership


async def test_a_partition_decrease_is_refused() -> None:
    (plan,) = await _plan(
        FakeKafka(_topic("orders", partitions=6)), _resource("orders", adopt=True, partitions=3)
    )
    assert plan.verdict is EnumPlanVerdict.REFUSED
    assert plan.changes == []
    assert plan.refusals[0].startswith("partitions cannot decrease")


async def test_observe_reports_drift() -> None:
    resource = _resource("orders", adopt=True, managementPolicy="Observe", config={"a": "1"})
    (plan,) = await _plan(FakeKafka(_topic("orders")), resource)
    assert plan.verdict is EnumPlanVerdict.DRIFT
    assert [change.config_key for change in plan.changes] == ["a"]


async def test_topic_name_is_immutable() -> None:
    live = [_live("orders", "2026-01-01T00:00:00Z", topicName="orders.v1")]
    kafka = FakeKafka()
    (plan,) = await _plan(kafka, _resource("orders", topicName="orders.v2"), live=live)
    assert plan.verdict is EnumPlanVerdict.REFUSED
    assert "topicName is immutable" in plan.refusals[0]
    assert kafka.described == []


async def test_an_older_live_claimant_wins() -> None:
    live = [_live("first", "2026-01-01T00:00:00Z", topicName="shared")]
    kafka = FakeKafka()
    (plan,) = await _plan(kafka, _resource("second", topicName="shared", adopt=True), live=live)
    assert plan.verdict is EnumPlanVerdict.CONFLICT
    assert (
        plan.conflict
        == "topic shared is already claimed by KafkaTopic team/first; the oldest resource manages a topic"
    )
    assert kafka.described == []


async def test_a_live_resource_keeps_its_age_against_an_older_new_one() -> None:
    live = [_live("second", "2026-01-01T00:00:00Z", topicName="shared")]
    resources = [_resource("first", 0, topicName="shared"), _resource("second", 1, topicName="shared")]
    first, second = await _plan(FakeKafka(), *resources, live=live)
    assert first.verdict is EnumPlanVerdict.CONFLICT
    assert "KafkaTopic team/second;" in (first.conflict or "")
    assert second.verdict is EnumPlanVerdict.CHANGES


async def test_of_two_new_claimants_the_first_in_the_input_wins() -> None:
    resources = [_resource("a", 0, topicName="shared"), _resource("b", 1, topicName="shared")]
    first, second = await _plan(FakeKafka(), *resources)
    assert first.verdict is EnumPlanVerdict.CHANGES
    assert second.verdict is EnumPlanVerdict.CONFLICT
    assert "KafkaTopic team/a (topics.yaml, document 0, not yet applied)" in (second.conflict or "")


async def test_other_connections_and_namespaces_do_not_conflict() -> None:
    resources = [
        _resource("a", 0, topicName="shared"),
        _resource("b", 1, topicName="shared", connectionRef={"name": "other"}),
        _resource("c", 2, namespace="elsewhere", topicName="shared"),
    ]
    plans = await _plan(FakeKafka(), *resources)
    assert {plan.verdict for plan in plans} == {EnumPlanVerdict.CHANGES}


async def test_errors_are_classified_per_resource() -> None:
    context = ModelInfraErrorContext(
        transport_type=EnumInfraTransportType.KAFKA, operation="describe_topics", target_name="kafka:9092/x"
    )
    kafka = FakeKafka(
        error=InfraTimeoutError("Kafka describe_topics exceeded its contract timeout", context=context)
    )
    (plan,) = await _plan(kafka, _resource("orders"))
    assert plan.verdict is EnumPlanVerdict.ERROR
    assert plan.error is not None
    assert (plan.error.error_class.value, plan.error.operation) == ("InfraTimeoutError", "describe_topics")


async def _failing_connection(
    resource: ManagedResource[ModelKafkaTopicSpec], correlation_id: UUID
) -> KafkaSession:
    context = ModelInfraErrorContext(
        transport_type=EnumInfraTransportType.KAFKA, operation="resolve_connection"
    )
    raise SecretResolutionError("Secret creds does not exist in namespace team", context=context)


async def test_a_connection_that_cannot_be_resolved_is_an_error_and_kafka_is_not_asked() -> None:
    kafka = FakeKafka()
    (plan,) = await _plan_with(_failing_connection, (_resource("orders"),))
    assert plan.error is not None
    assert plan.error.error_class.value == "SecretResolutionError"
    assert kafka.described == []


class GatheringKafka(FakeKafka):
    """Answers only once every topic has been asked for: proves the describes are concurrent,
    which is what lets the admin client's batcher send one request for all of them."""

    def __init__(self, expected: int) -> None:
        super().__init__()
        self.expected = expected
        self.all_asked = asyncio.Event()

    async def describe(self, topic: str, correlation_id: UUID) -> ModelTopicObservation | None:
        self.described.append(topic)
        if len(self.described) == self.expected:
            self.all_asked.set()
        await asyncio.wait_for(self.all_asked.wait(), 5)
        return None


async def test_describes_are_concurrent() -> None:
    resources = [_resource(f"t{i}", i) for i in range(5)]
    plans = await _plan(GatheringKafka(5), *resources)
    assert [plan.verdict for plan in plans] == [EnumPlanVerdict.CHANGES] * 5
