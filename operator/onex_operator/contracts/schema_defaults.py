"""Defaulting as the apiserver does it before validation: nulls pruned, then defaults filled in,
top-down (a defaulted object gets its own nested defaults too)."""

from __future__ import annotations

import copy

from pydantic import JsonValue

from onex_operator.contracts.model_schema import ModelSchema


def apply_defaults(value: JsonValue, schema: ModelSchema) -> JsonValue:
    if isinstance(value, list):
        items = schema.items
        return [apply_defaults(item, items) for item in value] if items is not None else value
    if not isinstance(value, dict):
        return value
    properties = schema.properties or {}
    out: dict[str, JsonValue] = {}
    for key, item in value.items():
        prop = properties.get(key, schema.additional_properties)
        if item is None and prop is not None and not prop.nullable:
            continue  # a null the schema does not allow is dropped, so a default may take its place
        out[key] = apply_defaults(item, prop) if prop is not None else item
    for key, prop in properties.items():
        if key not in out and prop.has_default:
            out[key] = apply_defaults(copy.deepcopy(prop.default), prop)
    return out
