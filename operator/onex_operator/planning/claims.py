"""Which resource the operator lets manage an external object, by its rules seen from a file.

The operator lets the oldest of the resources of one kind naming one external object (equal claim
keys) manage it; the newer get ResourceConflict. From a file: a resource not yet in the cluster is
newer than every live one, and of two new ones the one applied first is older. What only the
cluster knows (uid, status: which object a resource created) comes from the live resource.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from onex_operator.kube.api import JsonObject
from onex_operator.models.enum_managed_kind import EnumManagedKind
from onex_operator.planning.manifest_resource import ManifestResource


@dataclass(frozen=True)
class _Claim:
    # the same external object on the same connection
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
        kind: EnumManagedKind,
        claim_key: Callable[[JsonObject], str],
        resources: Sequence[ManifestResource],
        live: Sequence[JsonObject],
        unknown_reason: str | None,
    ) -> None:
        """`resources` and `live` are of `kind`; `unknown_reason` says why the live resources are not
        known (None when they were read)."""
        self._kind = kind
        self._unknown_reason = unknown_reason
        self._live = {_identity(body): body for body in live}
        self._claims: dict[tuple[str, str], _Claim] = {}
        for body in live:
            namespace, name = _identity(body)
            created = str(_meta(body).get("creationTimestamp", ""))
            rank = (False, created, 0, namespace, name)
            self._claims[namespace, name] = _Claim(claim_key(body), rank, f"{kind.value} {namespace}/{name}")
        for position, resource in enumerate(resources):
            existing = self._live.get((resource.namespace, resource.name))
            created = str(_meta(existing).get("creationTimestamp", "")) if existing else ""
            rank = (existing is None, created, position, resource.namespace, resource.name)
            label = f"{kind.value} {resource.label}"
            if existing is None:
                label += f" ({resource.file}, document {resource.document}, not yet applied)"
            self._claims[resource.namespace, resource.name] = _Claim(claim_key(resource.body), rank, label)

    def live_of(self, resource: ManifestResource) -> JsonObject | None:
        return self._live.get((resource.namespace, resource.name))

    def older_claimant(self, resource: ManifestResource) -> str | None:
        """The resource the operator lets manage this one's external object instead, if any: an
        older one in the cluster, or one earlier in the input (kubectl applies in order)."""
        mine = self._claims[resource.namespace, resource.name]
        older = [claim for claim in self._claims.values() if claim.key == mine.key and claim.rank < mine.rank]
        return min(older, key=lambda claim: claim.rank).label if older else None

    def unseen(self, resource: ManifestResource) -> str | None:
        """Why no live status (and uid) of this resource is known, or None when it is."""
        if self._unknown_reason is not None:
            return self._unknown_reason
        if self.live_of(resource) is None:
            return f"{self._kind.value} {resource.label} is not in the cluster"
        return None
