"""Desired (spec) vs observed (Kafka) -> the changes to make. Pure: no I/O, so `onex-infra plan`
and the operator share it.

Semantics follow Strimzi's topic operator: partitions only grow; the replication factor is fixed;
only dynamic topic configs are compared (broker defaults are never drift); with pruneConfig, dynamic
keys absent from the spec are removed.
"""

from __future__ import annotations

from onex_operator.models.model_kafka_topic_spec import ModelKafkaTopicSpec
from onex_operator.nodes.kafka_adapter.enum_topic_change_kind import EnumTopicChangeKind
from onex_operator.nodes.kafka_adapter.model_topic_change import ModelTopicChange
from onex_operator.nodes.kafka_adapter.model_topic_observation import ModelTopicObservation
from onex_operator.nodes.kafka_adapter.model_topic_plan import ModelTopicPlan


def plan_topic(
    topic: str, spec: ModelKafkaTopicSpec, observed: ModelTopicObservation | None
) -> ModelTopicPlan:
    desired_config = dict(spec.config or {})
    if observed is None:
        create = ModelTopicChange(
            kind=EnumTopicChangeKind.CREATE,
            topic=topic,
            partitions=spec.partitions,
            replication_factor=spec.replication_factor,
            config=desired_config,
        )
        return ModelTopicPlan(topic=topic, changes=[create], refusals=[])

    refusals: list[str] = []
    changes: list[ModelTopicChange] = []
    if spec.partitions is not None and spec.partitions < observed.partitions:
        refusals.append(
            f"partitions cannot decrease: topic {topic} has {observed.partitions}, "
            f"spec asks for {spec.partitions}"
        )
    elif spec.partitions is not None and spec.partitions > observed.partitions:
        changes.append(
            ModelTopicChange(
                kind=EnumTopicChangeKind.ADD_PARTITIONS,
                topic=topic,
                partitions=spec.partitions,
                old_value=str(observed.partitions),
            )
        )
    if spec.replication_factor is not None and spec.replication_factor != observed.replication_factor:
        refusals.append(
            f"replication factor cannot change: topic {topic} has {observed.replication_factor}, "
            f"spec asks for {spec.replication_factor} (reassign partitions with Kafka's tools instead)"
        )
    for key, value in sorted(desired_config.items()):
        current = observed.dynamic_config.get(key)
        if current != value:
            changes.append(
                ModelTopicChange(
                    kind=EnumTopicChangeKind.SET_CONFIG,
                    topic=topic,
                    config_key=key,
                    old_value=current,
                    new_value=value,
                )
            )
    if spec.prune_config:
        for key, value in sorted(observed.dynamic_config.items()):
            if key not in desired_config:
                changes.append(
                    ModelTopicChange(
                        kind=EnumTopicChangeKind.DELETE_CONFIG,
                        topic=topic,
                        config_key=key,
                        old_value=value,
                    )
                )
    return ModelTopicPlan(topic=topic, changes=[] if refusals else changes, refusals=refusals)
