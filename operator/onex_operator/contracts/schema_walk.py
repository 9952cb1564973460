"""Visiting every node of a schema tree with its path, for the contract checks."""

from __future__ import annotations

from collections.abc import Iterator

from onex_operator.contracts.field_error import child
from onex_operator.contracts.model_schema import ModelSchema


def walk(schema: ModelSchema, path: str) -> Iterator[tuple[str, ModelSchema]]:
    yield path, schema
    for name, prop in (schema.properties or {}).items():
        yield from walk(prop, child(path, f"properties.{name}"))
    if schema.items is not None:
        yield from walk(schema.items, child(path, "items"))
    if schema.additional_properties is not None:
        yield from walk(schema.additional_properties, child(path, "additionalProperties"))
