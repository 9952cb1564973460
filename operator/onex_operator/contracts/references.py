"""Parsing `$ref` / `extends` targets: `#/definitions/X` (same contract) or `node#/definitions/X`."""

from __future__ import annotations

from typing import NamedTuple

from onex_operator.contracts.catalog import ContractReferenceError

_DEFINITIONS = "#/definitions/"


class DefinitionRef(NamedTuple):
    node_name: str
    name: str


def parse_ref(ref: str, current_node: str) -> DefinitionRef:
    node, marker, name = ref.partition(_DEFINITIONS)
    if not marker or not name or "/" in name:
        raise ContractReferenceError(f"{ref!r} is not of the form [node_name]#/definitions/Name")
    return DefinitionRef(node or current_node, name)
