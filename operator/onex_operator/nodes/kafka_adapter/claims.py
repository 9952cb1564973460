"""Which topic a KafkaTopic resource names, and on which connection: two resources conflict only
when both match."""

from __future__ import annotations

from onex_operator.kube.api import JsonObject


def _section(body: JsonObject, key: str) -> dict[str, object]:
    value = body.get(key)
    return value if isinstance(value, dict) else {}


def topic_name_of(body: JsonObject) -> str:
    topic = _section(body, "spec").get("topicName")
    return str(topic) if topic else str(_section(body, "metadata").get("name", ""))


def connection_key(body: JsonObject) -> str:
    ref = _section(body, "spec").get("connectionRef")
    ref = ref if isinstance(ref, dict) else {}
    kind, name = ref.get("kind", "InfraConnection"), ref.get("name", "default")
    namespace = "" if kind == "ClusterInfraConnection" else _section(body, "metadata").get("namespace", "")
    return f"{kind}/{namespace}/{name}"


def claim_key(body: JsonObject) -> str:
    return f"{connection_key(body)}#{topic_name_of(body)}"
