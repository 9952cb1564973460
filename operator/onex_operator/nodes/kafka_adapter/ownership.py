"""Whose a topic is. Topics carry no metadata of ours, so ownership is read from the resource's
status: a topic is this resource's when its id equals status.topicId, or when status.topicName names
it and no id was recorded yet (the operator claims a topic before creating it, so a restart between
the two finds the topic its own), or when adopt is set."""

from __future__ import annotations

from dataclasses import dataclass

from onex_operator.kube.api import JsonObject
from onex_operator.nodes.kafka_adapter.model_topic_observation import ModelTopicObservation


@dataclass(frozen=True)
class TopicOwnership:
    recorded_topic_name: str | None
    recorded_topic_id: str | None
    adopt: bool

    @classmethod
    def of(cls, status: JsonObject, adopt: bool) -> TopicOwnership:
        name, topic_id = status.get("topicName"), status.get("topicId")
        return cls(
            recorded_topic_name=str(name) if name else None,
            recorded_topic_id=str(topic_id) if topic_id else None,
            adopt=adopt,
        )

    def owns(self, topic: str, observed: ModelTopicObservation) -> bool:
        if self.adopt or (self.recorded_topic_id and self.recorded_topic_id == observed.topic_id):
            return True
        return not self.recorded_topic_id and self.recorded_topic_name == topic
