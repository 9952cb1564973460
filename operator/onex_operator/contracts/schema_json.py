"""A resolved schema as the JSON a CRD carries, keys in the order a reader expects."""

from __future__ import annotations

from pydantic import JsonValue

from onex_operator.contracts.model_schema import ModelSchema


def schema_to_json(schema: ModelSchema) -> dict[str, JsonValue]:
    out: dict[str, JsonValue] = {}
    if schema.description is not None:
        out["description"] = schema.description
    if schema.type is not None:
        out["type"] = schema.type.value
    if schema.format is not None:
        out["format"] = schema.format
    if schema.enum is not None:
        out["enum"] = list(schema.enum)
    if schema.has_default:
        out["default"] = schema.default
    scalar_limits: dict[str, int | float | str | bool | None] = {
        "pattern": schema.pattern,
        "minLength": schema.min_length,
        "maxLength": schema.max_length,
        "minimum": schema.minimum,
        "maximum": schema.maximum,
        "minItems": schema.min_items,
        "maxItems": schema.max_items,
        "minProperties": schema.min_properties,
        "maxProperties": schema.max_properties,
        "nullable": schema.nullable,
        "x-kubernetes-preserve-unknown-fields": schema.preserve_unknown_fields,
    }
    out.update({key: value for key, value in scalar_limits.items() if value is not None})
    if schema.required:
        out["required"] = list(schema.required)
    if schema.properties is not None:
        out["properties"] = {name: schema_to_json(prop) for name, prop in schema.properties.items()}
    if schema.additional_properties is not None:
        out["additionalProperties"] = schema_to_json(schema.additional_properties)
    if schema.items is not None:
        out["items"] = schema_to_json(schema.items)
    if schema.list_type is not None:
        out["x-kubernetes-list-type"] = schema.list_type.value
    if schema.list_map_keys is not None:
        out["x-kubernetes-list-map-keys"] = list(schema.list_map_keys)
    if schema.validations:
        out["x-kubernetes-validations"] = [
            rule.model_dump(mode="json", by_alias=True, exclude_none=True) for rule in schema.validations
        ]
    return out
