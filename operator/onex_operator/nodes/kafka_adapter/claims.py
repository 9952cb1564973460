"""Which topic a KafkaTopic resource names, and on which connection: two resources conflict only
when both match."""

from __future__ import annotations

from onex_operator.kube.api import JsonObject
from onex_operator.nodes.connection_resolver.keys import connection_key


def _section(body: JsonObject, key: str) -> dict[str, object]:
    value = body.get(key)
    return value if isinstance(value, dict) else {}


def topic_name_of(body: JsonObject) -> str:
    topic = _section(body, "spec").get("topicName")
    return str(topic) if topic else str(_section(body, "metadata").get("name", ""))


def claim_key(body: JsonObject) -> str:
    return f"{connection_key(body)}#{topic_name_of(body)}"
