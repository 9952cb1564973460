"""Structural validation of a value against a resolved schema, with the apiserver's semantics:
types, required, enums, bounds, patterns, unknown fields (strict field validation, as kubectl
sends it) and the uniqueness x-kubernetes-list-type set/map demands."""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import lru_cache
from uuid import UUID

from pydantic import JsonValue

from onex_operator.contracts.enum_list_type import EnumListType
from onex_operator.contracts.enum_schema_type import EnumSchemaType
from onex_operator.contracts.field_error import FieldError, child, index, map_key
from onex_operator.contracts.json_display import shown, type_of
from onex_operator.contracts.model_schema import ModelSchema


@lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _type_matches(value: JsonValue, expected: EnumSchemaType) -> bool:
    actual = type_of(value)
    return actual == expected.value or (expected == EnumSchemaType.NUMBER and actual == "integer")


def _format_error(value: str, schema_format: str) -> str | None:
    try:
        if schema_format == "uuid":
            UUID(value)
        elif schema_format == "date-time":
            datetime.fromisoformat(value)
    except ValueError:
        return f"must be of format {schema_format}"
    return None


def _string_errors(value: str, schema: ModelSchema, path: str) -> list[FieldError]:
    errors: list[FieldError] = []
    if schema.min_length is not None and len(value) < schema.min_length:
        errors.append(
            FieldError(
                path, f"Invalid value: {shown(value)}: should be at least {schema.min_length} chars long"
            )
        )
    if schema.max_length is not None and len(value) > schema.max_length:
        errors.append(FieldError(path, f"Too long: may not be more than {schema.max_length} bytes"))
    if schema.pattern is not None and not _regex(schema.pattern).search(value):
        errors.append(FieldError(path, f"Invalid value: {shown(value)}: should match '{schema.pattern}'"))
    if schema.format is not None and (problem := _format_error(value, schema.format)) is not None:
        errors.append(FieldError(path, f"Invalid value: {shown(value)}: {problem}"))
    return errors


def _number_errors(value: float, schema: ModelSchema, path: str) -> list[FieldError]:
    errors: list[FieldError] = []
    if schema.minimum is not None and value < schema.minimum:
        errors.append(
            FieldError(
                path, f"Invalid value: {shown(value)}: should be greater than or equal to {schema.minimum}"
            )
        )
    if schema.maximum is not None and value > schema.maximum:
        errors.append(
            FieldError(
                path, f"Invalid value: {shown(value)}: should be less than or equal to {schema.maximum}"
            )
        )
    return errors


def _canonical(value: JsonValue) -> str:
    return json.dumps(value, sort_keys=True)


def _list_uniqueness(value: list[JsonValue], schema: ModelSchema, path: str) -> list[FieldError]:
    if schema.list_type == EnumListType.SET:
        keys = [_canonical(item) for item in value]
    elif schema.list_type == EnumListType.MAP and schema.list_map_keys:
        keys = [
            _canonical({key: item.get(key) for key in schema.list_map_keys}) if isinstance(item, dict) else ""
            for item in value
        ]
    else:
        return []
    seen: set[str] = set()
    errors: list[FieldError] = []
    for position, key in enumerate(keys):
        if key in seen:
            errors.append(FieldError(index(path, position), f"Duplicate value: {key}"))
        seen.add(key)
    return errors


def _array_errors(value: list[JsonValue], schema: ModelSchema, path: str) -> list[FieldError]:
    errors: list[FieldError] = []
    if schema.min_items is not None and len(value) < schema.min_items:
        errors.append(
            FieldError(path, f"Invalid value: {len(value)}: should have at least {schema.min_items} items")
        )
    if schema.max_items is not None and len(value) > schema.max_items:
        errors.append(FieldError(path, f"Too many: {len(value)}: must have at most {schema.max_items} items"))
    if schema.items is not None:
        for position, item in enumerate(value):
            errors += validate_value(item, schema.items, index(path, position))
    return errors + _list_uniqueness(value, schema, path)


def _object_errors(value: dict[str, JsonValue], schema: ModelSchema, path: str) -> list[FieldError]:
    errors: list[FieldError] = []
    properties = schema.properties or {}
    for key in schema.required or []:
        if key not in value:
            errors.append(FieldError(child(path, key), "Required value"))
    count = len(value)
    if schema.min_properties is not None and count < schema.min_properties:
        errors.append(
            FieldError(
                path, f"Invalid value: {count}: should have at least {schema.min_properties} properties"
            )
        )
    if schema.max_properties is not None and count > schema.max_properties:
        errors.append(FieldError(path, f"Too many: {count}: must have at most {schema.max_properties} items"))
    for key, item in value.items():
        if key in properties:
            errors += validate_value(item, properties[key], child(path, key))
        elif schema.additional_properties is not None:
            errors += validate_value(item, schema.additional_properties, map_key(path, key))
        elif not schema.preserve_unknown_fields and properties:
            errors.append(FieldError(child(path, key), "field not declared in schema"))
    return errors


def validate_value(value: JsonValue, schema: ModelSchema, path: str) -> list[FieldError]:
    if value is None:
        return [] if schema.nullable else [FieldError(path, "Invalid value: null: must not be null", True)]
    if schema.type is not None and not _type_matches(value, schema.type):
        message = f"Invalid value: {shown(value)}: must be of type {schema.type.value}"
        return [FieldError(path, message, is_type_error=True)]
    errors: list[FieldError] = []
    if schema.enum is not None and value not in schema.enum:
        supported = ", ".join(shown(option) for option in schema.enum)
        errors.append(FieldError(path, f"Unsupported value: {shown(value)}: supported values: {supported}"))
    if isinstance(value, str):
        errors += _string_errors(value, schema, path)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        errors += _number_errors(value, schema, path)
    elif isinstance(value, list):
        errors += _array_errors(value, schema, path)
    elif isinstance(value, dict):
        errors += _object_errors(value, schema, path)
    return errors
