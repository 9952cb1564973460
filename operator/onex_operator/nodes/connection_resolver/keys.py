"""Which connection a (raw) resource names, as one key: `InfraConnection/<namespace>/<name>` or
`ClusterInfraConnection//<name>`. Resources conflict, and connections are in use, by this key."""

from __future__ import annotations

from onex_operator.kube.api import JsonObject

INFRA_CONNECTION = "InfraConnection"
CLUSTER_INFRA_CONNECTION = "ClusterInfraConnection"


def _section(body: JsonObject, key: str) -> dict[str, object]:
    value = body.get(key)
    return value if isinstance(value, dict) else {}


def connection_key(body: JsonObject) -> str:
    ref = _section(body, "spec").get("connectionRef")
    ref = ref if isinstance(ref, dict) else {}
    kind, name = str(ref.get("kind", INFRA_CONNECTION)), str(ref.get("name", "default"))
    namespace = (
        "" if kind == CLUSTER_INFRA_CONNECTION else str(_section(body, "metadata").get("namespace", ""))
    )
    return key_of(kind, namespace, name)


def key_of(kind: str, namespace: str | None, name: str) -> str:
    return f"{kind}/{namespace or ''}/{name}"
