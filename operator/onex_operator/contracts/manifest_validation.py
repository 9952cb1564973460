"""Offline validation of custom-resource manifests: the verdict the apiserver would give.

The steps follow the apiserver's order for a server-side apply: known kind, metadata, status
dropped (the status subresource ignores it), nulls pruned and defaults applied, structural schema,
then CEL rules unless a wrong type already made the object unreadable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import JsonValue

from onex_operator.contracts.catalog import ContractCatalog
from onex_operator.contracts.cel_rules import evaluate_rules
from onex_operator.contracts.crd_builder import resource_schema
from onex_operator.contracts.enum_resource_scope import EnumResourceScope
from onex_operator.contracts.field_error import FieldError, child
from onex_operator.contracts.json_display import shown
from onex_operator.contracts.model_kubernetes_resource import ModelKubernetesResource
from onex_operator.contracts.model_schema import ModelSchema
from onex_operator.contracts.resolver import SchemaResolver
from onex_operator.contracts.schema_defaults import apply_defaults
from onex_operator.contracts.schema_validation import validate_value

_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_OBJECT_META_FIELDS = frozenset(
    {
        "name", "generateName", "namespace", "labels", "annotations", "finalizers", "ownerReferences",
        "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
        "deletionGracePeriodSeconds", "managedFields", "selfLink",
    }
)  # fmt: skip
_BLOCKED_RULES = (
    "some validation rules were not checked because the object was invalid; "
    "correct the existing errors to complete validation"
)


@dataclass(frozen=True)
class KnownKind:
    resource: ModelKubernetesResource
    schema: ModelSchema


def _metadata_errors(metadata: JsonValue, scope: EnumResourceScope) -> list[FieldError]:
    if not isinstance(metadata, dict):
        return [FieldError("metadata", f"Invalid value: {shown(metadata)}: must be of type object", True)]
    errors = [
        FieldError(child("metadata", key), "field not declared in schema")
        for key in metadata.keys() - _OBJECT_META_FIELDS
    ]
    name = metadata.get("name")
    if not isinstance(name, str) or not name:
        errors.append(FieldError("metadata.name", "Required value: name is required"))
    elif len(name) > 253 or not _DNS_SUBDOMAIN.match(name):
        message = (
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'"
        )
        errors.append(FieldError("metadata.name", f"Invalid value: {shown(name)}: {message}"))
    namespace = metadata.get("namespace")
    if (
        scope == EnumResourceScope.NAMESPACED
        and namespace is not None
        and (not isinstance(namespace, str) or len(namespace) > 63 or not _DNS_LABEL.match(namespace))
    ):
        errors.append(
            FieldError("metadata.namespace", f"Invalid value: {shown(namespace)}: not a namespace name")
        )
    return errors


def _cel_view(obj: dict[str, JsonValue]) -> dict[str, JsonValue]:
    """Root rules see only metadata.name and metadata.generateName of the metadata."""
    metadata = obj.get("metadata")
    visible: dict[str, JsonValue] = {}
    if isinstance(metadata, dict):
        visible = {key: metadata[key] for key in ("name", "generateName") if key in metadata}
    return {**obj, "metadata": visible}


class ManifestValidator:
    def __init__(self, catalog: ContractCatalog) -> None:
        resolver = SchemaResolver(catalog)
        self._kinds: dict[tuple[str, str], KnownKind] = {}
        for contract in catalog.contracts.values():
            section = contract.kubernetes
            if section is None:
                continue
            for resource in section.resources:
                key = (f"{section.group}/{section.version}", resource.kind)
                self._kinds[key] = KnownKind(resource, resource_schema(resolver, contract, resource))
        self.groups = frozenset(api_version.split("/")[0] for api_version, _ in self._kinds)

    def kind_for(self, obj: JsonValue) -> KnownKind | None:
        if not isinstance(obj, dict):
            return None
        api_version, kind = obj.get("apiVersion"), obj.get("kind")
        if not isinstance(api_version, str) or not isinstance(kind, str):
            return None
        return self._kinds.get((api_version, kind))

    def prepare(self, obj: dict[str, JsonValue], known: KnownKind) -> dict[str, JsonValue]:
        """The object as the apiserver would store it: status dropped, nulls pruned, defaults applied."""
        without_status = {key: value for key, value in obj.items() if key != "status"}
        prepared = apply_defaults(without_status, known.schema)
        assert isinstance(prepared, dict)
        return prepared

    def validate(self, obj: JsonValue, old: JsonValue | None = None) -> list[FieldError]:
        """Errors for creating `obj`, or for updating `old` to `obj` (transition rules then run)."""
        if not isinstance(obj, dict):
            return [FieldError("", "Invalid value: the document must be an object")]
        known = self.kind_for(obj)
        if known is None:
            api_version, kind = obj.get("apiVersion"), obj.get("kind")
            return [
                FieldError(
                    "kind", f"Invalid value: no kind {shown(kind)} is served in version {shown(api_version)}"
                )
            ]
        prepared = self.prepare(obj, known)
        errors = _metadata_errors(prepared.get("metadata"), known.resource.scope)
        body = {key: value for key, value in prepared.items() if key != "metadata"}
        errors += validate_value(body, known.schema, "")
        if any(error.is_type_error for error in errors):
            return [*errors, FieldError("", _BLOCKED_RULES)]
        old_view = _cel_view(self.prepare(old, known)) if isinstance(old, dict) else None
        return errors + evaluate_rules(_cel_view(prepared), old_view, known.schema)
