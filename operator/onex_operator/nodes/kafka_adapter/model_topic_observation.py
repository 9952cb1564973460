"""What Kafka says about one topic."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ModelTopicObservation(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    topic_id: str
    partitions: int
    replication_factor: int
    # only dynamic topic-level entries: broker and static defaults are never drift
    dynamic_config: dict[str, str]
