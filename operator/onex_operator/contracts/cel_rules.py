"""Offline evaluation of x-kubernetes-validations (CEL), where and as the apiserver runs them.

Every rule runs against the value at its schema node (`self`). Transition rules (those reading
`oldSelf`) run only on an update, and only where the old value can be matched to the new one:
the same object field, map key or list-map key. Rules see the object after defaulting.
"""

from __future__ import annotations

from functools import lru_cache

import cel
from pydantic import JsonValue

from onex_operator.contracts.enum_list_type import EnumListType
from onex_operator.contracts.field_error import FieldError, child, index, map_key
from onex_operator.contracts.json_display import shown
from onex_operator.contracts.model_schema import ModelSchema
from onex_operator.contracts.model_validation_rule import ModelValidationRule

# What the cel library raises for a failed evaluation (no such key, no overload, ...).
CEL_ERRORS = (KeyError, ValueError, TypeError, RuntimeError)


@lru_cache(maxsize=512)
def compile_rule(rule: str) -> cel.Program:
    """Raises ValueError for a rule that does not parse."""
    return cel.compile(rule)


def _rule_path(path: str, rule: ModelValidationRule) -> str:
    # fieldPath is relative to the node the rule sits on, written as `.field` (or `.a.b`).
    return child(path, rule.field_path.lstrip(".")) if rule.field_path else path


def _evaluate(
    rule: ModelValidationRule, value: JsonValue, old: JsonValue | None, path: str
) -> FieldError | None:
    variables: dict[str, JsonValue] = {"self": value}
    if rule.is_transition_rule:
        if old is None:
            return None
        variables["oldSelf"] = old
    where = _rule_path(path, rule)
    try:
        result: object = compile_rule(rule.rule).execute(variables)
    except CEL_ERRORS as error:
        return FieldError(where, f"Invalid value: {shown(value)}: {error} evaluating rule: {rule.rule}")
    if result is True:
        return None
    if result is False:
        return FieldError(where, f"Invalid value: {shown(value)}: {rule.message}")
    return FieldError(where, f"Invalid value: {shown(value)}: rule did not evaluate to a bool: {rule.rule}")


def _list_map_key(item: JsonValue, keys: list[str]) -> tuple[str, ...] | None:
    if not isinstance(item, dict):
        return None
    return tuple(str(item.get(key)) for key in keys)


def _old_list_items(
    value: list[JsonValue], old: JsonValue | None, schema: ModelSchema
) -> list[JsonValue | None]:
    """The old item matching each new item: only list-type map items can be matched, by their keys."""
    if schema.list_type != EnumListType.MAP or not schema.list_map_keys or not isinstance(old, list):
        return [None] * len(value)
    keys = schema.list_map_keys
    by_key = {_list_map_key(item, keys): item for item in old}
    return [by_key.get(_list_map_key(item, keys)) for item in value]


def _children(
    value: JsonValue, old: JsonValue | None, schema: ModelSchema, path: str
) -> list[tuple[JsonValue, JsonValue | None, ModelSchema, str]]:
    if isinstance(value, list) and schema.items is not None:
        olds = _old_list_items(value, old, schema)
        return [(item, olds[pos], schema.items, index(path, pos)) for pos, item in enumerate(value)]
    if not isinstance(value, dict):
        return []
    old_map = old if isinstance(old, dict) else {}
    properties = schema.properties or {}
    out: list[tuple[JsonValue, JsonValue | None, ModelSchema, str]] = []
    for key, item in value.items():
        if key in properties:
            out.append((item, old_map.get(key), properties[key], child(path, key)))
        elif schema.additional_properties is not None:
            out.append((item, old_map.get(key), schema.additional_properties, map_key(path, key)))
    return out


def evaluate_rules(
    value: JsonValue, old: JsonValue | None, schema: ModelSchema, path: str = ""
) -> list[FieldError]:
    """All failing rules in the value's tree; `old` is the stored object on an update, else None."""
    errors: list[FieldError] = []
    for rule in schema.validations or []:
        error = _evaluate(rule, value, old, path)
        if error is not None:
            errors.append(error)
    for item, old_item, item_schema, item_path in _children(value, old, schema, path):
        errors += evaluate_rules(item, old_item, item_schema, item_path)
    return errors
