"""One resource read from a file: where it is, its kind, and its spec validated by the kind's model."""

from __future__ import annotations

from dataclasses import dataclass

from onex_operator.kube.api import JsonObject
from onex_operator.models.enum_managed_kind import EnumManagedKind
from onex_operator.runtime.managed.adapter import ProtocolManagedSpec


@dataclass(frozen=True)
class ManifestResource:
    file: str
    # 0-based, as `contracts validate` counts documents
    document: int
    kind: EnumManagedKind
    namespace: str
    name: str
    spec: ProtocolManagedSpec
    # the document with metadata.namespace filled in: the operator's identity helpers read bodies
    body: JsonObject

    @property
    def label(self) -> str:
        return f"{self.namespace}/{self.name}"
