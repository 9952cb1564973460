"""A file's resource as the cluster would hold it once applied: the file's spec and annotations, and
what only the cluster knows (uid, creation time, generation, status) from the live resource. A file
has no status: ownership recorded in status, a handled rotation, a uid in the external object's
metadata are all read from the live resource, as the operator reads them."""

from __future__ import annotations

from onex_operator.kube.api import JsonObject

_FROM_THE_CLUSTER = ("uid", "creationTimestamp", "generation")


def planned_body(document: JsonObject, live: JsonObject | None) -> JsonObject:
    metadata = document.get("metadata")
    metadata = dict(metadata) if isinstance(metadata, dict) else {}
    live_metadata = live.get("metadata") if live is not None else None
    if isinstance(live_metadata, dict):
        metadata |= {key: live_metadata[key] for key in _FROM_THE_CLUSTER if key in live_metadata}
    status = live.get("status") if live is not None else None
    return {**document, "metadata": metadata, "status": status if isinstance(status, dict) else {}}
