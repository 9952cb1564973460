"""One KafkaTopic read from a file: where it is, and its spec validated by the generated model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, JsonValue

from onex_operator.models.model_kafka_topic_spec import ModelKafkaTopicSpec


class ModelManifestResource(BaseModel):
    model_config = ConfigDict(frozen=True)

    file: str
    # 0-based, as `contracts validate` counts documents
    document: int
    namespace: str
    name: str
    spec: ModelKafkaTopicSpec
    # the document with metadata.namespace filled in: the operator's identity helpers read bodies
    body: dict[str, JsonValue]

    @property
    def label(self) -> str:
        return f"{self.namespace}/{self.name}"
