"""The pure KafkaTopic plan: Strimzi's semantics, no I/O."""

from __future__ import annotations

import pytest

from onex_operator.models.model_kafka_topic_spec import ModelKafkaTopicSpec
from onex_operator.nodes.kafka_adapter.enum_topic_change_kind import EnumTopicChangeKind
from onex_operator.nodes.kafka_adapter.model_topic_observation import ModelTopicObservation
from onex_operator.nodes.kafka_adapter.plan import plan_topic

pytestmark = pytest.mark.unit


def _spec(**fields: object) -> ModelKafkaTopicSpec:
    return ModelKafkaTopicSpec.model_validate(fields)


def _observed(
    partitions: int = 3, replicas: int = 1, config: dict[str, str] | None = None
) -> ModelTopicObservation:
    return ModelTopicObservation(
        name="t",
        topic_id="id",
        partitions=partitions,
        replication_factor=replicas,
        dynamic_config=config or {},
    )


def test_missing_topic_is_created_with_its_config() -> None:
    plan = plan_topic("t", _spec(partitions=6, replicationFactor=1, config={"retention.ms": "1"}), None)
    (change,) = plan.changes
    assert change.kind is EnumTopicChangeKind.CREATE
    assert (change.partitions, change.replication_factor, change.config) == (6, 1, {"retention.ms": "1"})
    assert "create topic t" in change.describe()


def test_equal_topic_needs_nothing() -> None:
    plan = plan_topic("t", _spec(partitions=3, config={"a": "1"}), _observed(config={"a": "1"}))
    assert plan.in_sync


def test_omitted_partitions_and_replicas_are_not_drift() -> None:
    assert plan_topic("t", _spec(), _observed(partitions=9, replicas=3)).in_sync


def test_partitions_grow() -> None:
    (change,) = plan_topic("t", _spec(partitions=5), _observed(partitions=3)).changes
    assert change.kind is EnumTopicChangeKind.ADD_PARTITIONS
    assert change.partitions == 5


def test_partition_decrease_is_refused_and_blocks_everything() -> None:
    plan = plan_topic("t", _spec(partitions=2, config={"a": "2"}), _observed(partitions=3, config={"a": "1"}))
    assert plan.changes == []
    assert "cannot decrease" in plan.refusals[0]


def test_replication_factor_change_is_refused() -> None:
    plan = plan_topic("t", _spec(replicationFactor=3), _observed(replicas=1))
    assert plan.changes == []
    assert "replication factor cannot change" in plan.refusals[0]


def test_config_is_set_and_pruned() -> None:
    plan = plan_topic("t", _spec(config={"a": "2", "b": "1"}), _observed(config={"a": "1", "x": "9"}))
    kinds = {(change.kind, change.config_key) for change in plan.changes}
    assert kinds == {
        (EnumTopicChangeKind.SET_CONFIG, "a"),
        (EnumTopicChangeKind.SET_CONFIG, "b"),
        (EnumTopicChangeKind.DELETE_CONFIG, "x"),
    }


def test_prune_disabled_leaves_foreign_config() -> None:
    plan = plan_topic(
        "t", _spec(config={"a": "1"}, pruneConfig=False), _observed(config={"a": "1", "x": "9"})
    )
    assert plan.in_sync
