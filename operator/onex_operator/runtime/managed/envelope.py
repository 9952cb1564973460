"""The typed envelope of one custom resource, parsed once at the kopf boundary.

kopf's Body is a live view that changes under our feet, and managedFields and kopf's annotations are
most of an object's size: the envelope keeps a detached copy of what reconciling needs, with the
metadata typed and the spec parsed into the kind's model (or the reason it could not be).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypedDict, TypeVar

from pydantic import ValidationError

from onex_operator.kube.api import JsonObject
from onex_operator.models.enum_managed_kind import EnumManagedKind

SpecT = TypeVar("SpecT")
SpecT_co = TypeVar("SpecT_co", covariant=True)

ANNOTATION_PREFIX = "infra.onex.dev/"
# kopf's finalizer on resources whose deletion deletes their external object
FINALIZER = "infra.onex.dev/finalizer"
_METADATA_KEPT = ("name", "namespace", "uid", "generation", "creationTimestamp", "deletionTimestamp")


@dataclass(frozen=True)
class ResourceEnvelope:
    """What every resource has, valid spec or not."""

    kind: EnumManagedKind
    uid: str
    namespace: str
    name: str
    generation: int
    creation_timestamp: str
    deleting: bool
    # only the user's infra.onex.dev/* annotations (rotate, abandon, repair ...)
    annotations: Mapping[str, str]
    # the detached plain copy: apiVersion, kind, the kept metadata, spec and status
    body: JsonObject

    @property
    def label(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def rank(self) -> tuple[str, str, str]:
        """Older resources first: of two claimants of one external object the oldest keeps it."""
        return (self.creation_timestamp, self.namespace, self.name)

    @property
    def raw_spec(self) -> JsonObject:
        spec = self.body.get("spec")
        return spec if isinstance(spec, dict) else {}

    @property
    def raw_status(self) -> JsonObject:
        status = self.body.get("status")
        return {k: v for k, v in status.items() if k != "kopf"} if isinstance(status, dict) else {}

    def annotation(self, name: str) -> str | None:
        return self.annotations.get(ANNOTATION_PREFIX + name)


@dataclass(frozen=True)
class ManagedResource(ResourceEnvelope, Generic[SpecT_co]):
    """A resource whose spec parsed into the kind's model: the only kind of resource an adapter sees."""

    spec: SpecT_co


@dataclass(frozen=True)
class InvalidResource(ResourceEnvelope):
    """A resource whose spec the kind's model refuses (what the CRD schema cannot express)."""

    spec_error: str


def envelope_of(
    kind: EnumManagedKind, body: Mapping[str, object], parse: Callable[[JsonObject], SpecT]
) -> ManagedResource[SpecT] | InvalidResource:
    metadata = body.get("metadata")
    metadata = metadata if isinstance(metadata, Mapping) else {}
    plain: JsonObject = {
        "apiVersion": body.get("apiVersion"),
        "kind": body.get("kind"),
        "metadata": {key: _copy(metadata[key]) for key in _METADATA_KEPT if key in metadata},
        "spec": _copy(body.get("spec") or {}),
        "status": _copy(body.get("status") or {}),
    }
    raw_annotations = metadata.get("annotations")
    annotations = (
        {
            str(key): str(value)
            for key, value in raw_annotations.items()
            if str(key).startswith(ANNOTATION_PREFIX)
        }
        if isinstance(raw_annotations, Mapping)
        else {}
    )
    common = _Common(
        kind=kind,
        uid=str(metadata.get("uid", "")),
        namespace=str(metadata.get("namespace", "")),
        name=str(metadata.get("name", "")),
        generation=int(str(metadata.get("generation", 1))),
        creation_timestamp=str(metadata.get("creationTimestamp", "")),
        deleting=bool(metadata.get("deletionTimestamp")),
        annotations=annotations,
        body=plain,
    )
    spec_raw = plain["spec"]
    try:
        spec = parse(spec_raw if isinstance(spec_raw, dict) else {})
    except ValidationError as error:
        return InvalidResource(**common, spec_error=str(error))
    return ManagedResource(**common, spec=spec)


class _Common(TypedDict):
    kind: EnumManagedKind
    uid: str
    namespace: str
    name: str
    generation: int
    creation_timestamp: str
    deleting: bool
    annotations: Mapping[str, str]
    body: JsonObject


def _copy(value: object) -> object:
    if isinstance(value, Mapping):
        return {str(k): _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
