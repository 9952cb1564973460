"""The pure plan for one topic: the changes to make, or why nothing may be made."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from onex_operator.nodes.kafka_adapter.model_topic_change import ModelTopicChange


class ModelTopicPlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    topic: str
    changes: list[ModelTopicChange]
    # a refusal blocks every change: the spec asks for something Kafka cannot do
    refusals: list[str]

    @property
    def in_sync(self) -> bool:
        return not self.changes and not self.refusals
