"""Who may manage a topic, by the operator's rules seen from a file.

The operator lets the oldest of the resources naming one topic on one connection manage it (the
newer get ResourceConflict), and counts an existing topic as a resource's own only when its status
records it (topicId, or topicName before the id is known) or spec.adopt is set. From a file: a
resource not yet in the cluster is newer than every live one, and of two new ones the one applied
first is older; ownership comes from the live resource's status, when the cluster can be read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from onex_operator.kube.api import JsonObject
from onex_operator.nodes.kafka_adapter.claims import claim_key
from onex_operator.nodes.kafka_adapter.model_topic_observation import ModelTopicObservation
from onex_operator.nodes.kafka_adapter.ownership import TopicOwnership
from onex_operator.planning.model_manifest_resource import ModelManifestResource


@dataclass(frozen=True)
class _Claim:
    # the same topic on the same connection
    key: str
    # (not yet in the cluster, creationTimestamp, position in the input, namespace, name): lower is older
    rank: tuple[bool, str, int, str, str]
    # "KafkaTopic namespace/name", and for one not yet in the cluster, where it is written
    label: str


def _meta(body: JsonObject) -> dict[str, object]:
    meta = body.get("metadata")
    return meta if isinstance(meta, dict) else {}


def _identity(body: JsonObject) -> tuple[str, str]:
    meta = _meta(body)
    return str(meta.get("namespace", "")), str(meta.get("name", ""))


class Claims:
    def __init__(
        self,
        resources: Sequence[ModelManifestResource],
        live: Sequence[JsonObject],
        unknown_reason: str | None,
    ) -> None:
        """`unknown_reason` says why the live resources are not known (None when they were read)."""
        self.unknown_reason = unknown_reason
        self._live = {_identity(body): body for body in live}
        self._claims: dict[tuple[str, str], _Claim] = {}
        for body in live:
            namespace, name = _identity(body)
            created = str(_meta(body).get("creationTimestamp", ""))
            rank = (False, created, 0, namespace, name)
            self._claims[namespace, name] = _Claim(claim_key(body), rank, f"KafkaTopic {namespace}/{name}")
        for position, resource in enumerate(resources):
            existing = self._live.get((resource.namespace, resource.name))
            created = str(_meta(existing).get("creationTimestamp", "")) if existing else ""
            rank = (existing is None, created, position, resource.namespace, resource.name)
            label = f"KafkaTopic {resource.label}"
            if existing is None:
                label += f" ({resource.file}, document {resource.document}, not yet applied)"
            self._claims[resource.namespace, resource.name] = _Claim(
                claim_key(dict(resource.body)), rank, label
            )

    def live_of(self, resource: ModelManifestResource) -> JsonObject | None:
        return self._live.get((resource.namespace, resource.name))

    def older_claimant(self, resource: ModelManifestResource) -> str | None:
        """The KafkaTopic the operator lets manage this resource's topic instead, if any: an older
        one in the cluster, or one earlier in the input (kubectl applies in order)."""
        mine = self._claims[resource.namespace, resource.name]
        older = [claim for claim in self._claims.values() if claim.key == mine.key and claim.rank < mine.rank]
        return min(older, key=lambda claim: claim.rank).label if older else None

    def ownership(self, resource: ModelManifestResource) -> TopicOwnership:
        live = self.live_of(resource)
        status = live.get("status") if live is not None else None
        status = status if isinstance(status, dict) else {}
        return TopicOwnership.of(status, resource.spec.adopt)

    def explain(self, resource: ModelManifestResource, observed: ModelTopicObservation) -> str:
        """Why the existing topic does or does not count as this resource's."""
        ownership = self.ownership(resource)
        live = f"the live KafkaTopic {resource.label}"
        if ownership.adopt:
            return "spec.adopt is true: the existing topic is taken over"
        unseen = self.unknown_reason or (
            None if self.live_of(resource) else f"KafkaTopic {resource.label} is not in the cluster"
        )
        if unseen is not None:
            return f"{unseen}, so no status records that this resource created the topic"
        if ownership.recorded_topic_id == observed.topic_id:
            return f"{live} records topicId {observed.topic_id} in its status"
        if ownership.recorded_topic_id:
            return (
                f"{live} records topicId {ownership.recorded_topic_id}, but the topic in Kafka has "
                f"{observed.topic_id}: it was deleted and created again outside the operator"
            )
        if ownership.owns(observed.name, observed):
            return (
                f"{live} records topicName {observed.name} (the operator claims a topic before creating it)"
            )
        return f"{live} records no topic in its status"
