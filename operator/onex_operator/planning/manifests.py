"""Files -> the resources in them of the kinds a plan covers, each spec validated by its kind's model;
documents of other kinds are listed as skipped, invalid ones reported with file, document and field."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import JsonValue, ValidationError

from onex_operator.contracts.field_error import child, index, map_key
from onex_operator.contracts.model_validation_issue import ModelValidationIssue
from onex_operator.contracts.yaml_source import load_documents
from onex_operator.kube.api import GROUP, VERSION, JsonObject
from onex_operator.models.enum_managed_kind import EnumManagedKind
from onex_operator.planning.manifest_resource import ManifestResource
from onex_operator.planning.model_skipped_document import ModelSkippedDocument
from onex_operator.runtime.managed.adapter import ProtocolManagedSpec

SpecParser = Callable[[JsonObject], ProtocolManagedSpec]

_API_VERSION = f"{GROUP}/{VERSION}"
_YAML_SUFFIXES = frozenset({".yaml", ".yml", ".json"})
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass
class ManifestSet:
    resources: list[ManifestResource] = field(default_factory=list)
    skipped: list[ModelSkippedDocument] = field(default_factory=list)
    invalid: list[ModelValidationIssue] = field(default_factory=list)


def expand(paths: Sequence[Path]) -> list[Path]:
    """Files as given; a folder stands for its YAML files (not recursive, as `kubectl -f`)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix in _YAML_SUFFIXES and p.is_file())
        else:
            files.append(path)
    return files


def load_manifests(
    paths: Sequence[Path], default_namespace: str, parsers: Mapping[EnumManagedKind, SpecParser]
) -> ManifestSet:
    """`parsers`: the kinds a plan covers, each with its spec model (a pydantic ValidationError when
    a spec is invalid)."""
    found = ManifestSet()
    for path in expand(paths):
        try:
            documents = load_documents(path)
        except (OSError, ValueError, yaml.YAMLError) as error:
            found.invalid.append(ModelValidationIssue(file=str(path), message=f"cannot read YAML: {error}"))
            continue
        for position, document in enumerate(documents):
            _document(
                found, str(path), position, document, default_namespace=default_namespace, parsers=parsers
            )
    return found


class _InvalidDocumentError(Exception):
    """A document that cannot be planned: (field path, message) per problem."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(problems)
        self.problems = problems


def _document(
    found: ManifestSet,
    file: str,
    position: int,
    document: JsonValue,
    *,
    default_namespace: str,
    parsers: Mapping[EnumManagedKind, SpecParser],
) -> None:
    if not isinstance(document, dict):
        found.invalid.append(
            ModelValidationIssue(file=file, document=position, message="the document must be a mapping")
        )
        return
    metadata = document.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    kind_name = document.get("kind")
    label = f"{kind_name}/{name}"
    kind = next((kind for kind in parsers if kind.value == kind_name), None)
    if kind is None or not str(document.get("apiVersion")).startswith(f"{GROUP}/"):
        found.skipped.append(ModelSkippedDocument(file=file, document=position, resource=label))
        return
    try:
        resource = _resource(
            file, position, kind, document, default_namespace=default_namespace, parse=parsers[kind]
        )
        duplicate = next((r for r in found.resources if (r.kind, r.label) == (kind, resource.label)), None)
        if duplicate is not None:
            where = f"{duplicate.file}, document {duplicate.document}"
            raise _InvalidDocumentError(
                [("metadata.name", f"also in {where}; the later one would replace it")]
            )
    except _InvalidDocumentError as invalid:
        found.invalid += [
            ModelValidationIssue(file=file, document=position, resource=label, path=path, message=message)
            for path, message in invalid.problems
        ]
        return
    found.resources.append(resource)


def _resource(
    file: str,
    position: int,
    kind: EnumManagedKind,
    document: dict[str, JsonValue],
    *,
    default_namespace: str,
    parse: SpecParser,
) -> ManifestResource:
    """The resource in `document`; raises _InvalidDocumentError naming every field at fault."""
    api_version = document.get("apiVersion")
    if api_version != _API_VERSION:
        raise _InvalidDocumentError(
            [("apiVersion", f"{kind.value} is served as {_API_VERSION}, not {api_version}")]
        )
    metadata = document.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    if not isinstance(metadata, dict) or not isinstance(name, str) or not name:
        raise _InvalidDocumentError([("metadata.name", "Required value: name is required")])
    namespace = metadata.get("namespace", default_namespace)
    if not isinstance(namespace, str) or not namespace:
        raise _InvalidDocumentError([("metadata.namespace", "Invalid value: must be a namespace name")])
    raw_spec = document.get("spec") or {}
    if not isinstance(raw_spec, dict):
        raise _InvalidDocumentError([("spec", "Invalid value: must be a valid mapping")])
    try:
        spec = parse(dict(raw_spec))
    except ValidationError as error:
        # never the input: a VaultSecret's spec carries values
        details = error.errors(include_url=False, include_input=False)
        raise _InvalidDocumentError(
            [(_field_path(("spec", *d["loc"])), d["msg"]) for d in details]
        ) from error
    body: JsonObject = {**document, "metadata": {**metadata, "namespace": namespace}}
    return ManifestResource(
        file=file, document=position, kind=kind, namespace=namespace, name=name, spec=spec, body=body
    )


def _field_path(location: Sequence[int | str]) -> str:
    """('spec', 'config', 'retention.ms') -> spec.config[retention.ms], as kubectl names fields."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path = index(path, part)
        elif _PLAIN_KEY.match(part):
            path = child(path, part)
        else:
            path = map_key(path, part)
    return path
