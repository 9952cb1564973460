"""Reading YAML as JSON values: the same YAML 1.1 reading kubectl does (yes/no are booleans)."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import JsonValue, TypeAdapter

_JSON = TypeAdapter(JsonValue)
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class _JsonLoader(yaml.SafeLoader):
    """SafeLoader without the timestamp type: like kubectl, an unquoted date stays a string."""


_JsonLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_documents(path: Path) -> list[JsonValue]:
    """Every non-empty document of a YAML file; raises yaml.YAMLError or ValueError on bad input."""
    with path.open(encoding="utf-8") as stream:
        # _JsonLoader is a SafeLoader: it builds no arbitrary Python objects.
        loaded = list(yaml.load_all(stream, Loader=_JsonLoader))
    documents = [doc for doc in loaded if doc is not None]
    return [_JSON.validate_python(doc) for doc in documents]


def load_mapping(path: Path) -> dict[str, JsonValue]:
    """A single-document YAML file whose root is a mapping."""
    documents = load_documents(path)
    if len(documents) != 1 or not isinstance(documents[0], dict):
        raise ValueError("expected exactly one YAML document holding a mapping")
    return documents[0]
