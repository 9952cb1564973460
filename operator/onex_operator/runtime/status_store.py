"""The last status this process wrote for each resource.

A reconcile may start from a body delivered before the previous reconcile's status write came back
through the watch (a drift sweep waiting on the resource's lock, say). The operator is the only
writer of these statuses, so what it last wrote is the truth; the body's status is used only when
this process has written nothing yet (after a restart).
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from onex_operator.kube.api import JsonObject, KubeApi


@dataclass(frozen=True)
class ResourceRef:
    uid: str
    plural: str
    namespace: str
    name: str


class StatusStore:
    def __init__(self, kube: KubeApi) -> None:
        self._kube = kube
        self._written: dict[str, JsonObject] = {}

    def current(self, uid: str, body: JsonObject) -> JsonObject:
        if uid in self._written:
            return dict(self._written[uid])
        status = body.get("status")
        return {k: v for k, v in status.items() if k != "kopf"} if isinstance(status, dict) else {}

    async def write(
        self, ref: ResourceRef, patch: JsonObject, base: JsonObject, correlation_id: UUID
    ) -> JsonObject:
        """Merge-patch the status; returns the status as it now stands."""
        await self._kube.patch_status(ref.plural, ref.namespace, ref.name, patch, correlation_id)
        merged = {**base, **patch}
        self._written[ref.uid] = {key: value for key, value in merged.items() if value is not None}
        return dict(self._written[ref.uid])

    def forget(self, uid: str) -> None:
        self._written.pop(uid, None)
