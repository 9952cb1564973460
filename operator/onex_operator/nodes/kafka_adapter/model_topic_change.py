"""One change the plan asks for; `describe` is what `onex-infra plan` and Events print."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from onex_operator.nodes.kafka_adapter.enum_topic_change_kind import EnumTopicChangeKind


class ModelTopicChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: EnumTopicChangeKind
    topic: str
    partitions: int | None = None
    replication_factor: int | None = None
    config_key: str | None = None
    old_value: str | None = None
    new_value: str | None = None
    config: dict[str, str] = {}

    def describe(self) -> str:
        if self.kind is EnumTopicChangeKind.CREATE:
            partitions = self.partitions if self.partitions is not None else "broker default"
            replicas = self.replication_factor if self.replication_factor is not None else "broker default"
            return f"create topic {self.topic} (partitions {partitions}, replication factor {replicas})"
        if self.kind is EnumTopicChangeKind.ADD_PARTITIONS:
            return f"add partitions to {self.topic}: {self.old_value} -> {self.partitions}"
        if self.kind is EnumTopicChangeKind.SET_CONFIG:
            before = "unset" if self.old_value is None else repr(self.old_value)
            return f"set {self.config_key} on {self.topic}: {before} -> {self.new_value!r}"
        return f"remove {self.config_key} from {self.topic} (was {self.old_value!r}; broker default applies)"
