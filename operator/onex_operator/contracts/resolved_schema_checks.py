"""Checks on a resolved schema: what the apiserver demands of a CRD and what users need from it
(a description on every field, valid defaults, rules that compile, keys that exist)."""

from __future__ import annotations

import copy

from onex_operator.contracts.cel_rules import compile_rule
from onex_operator.contracts.enum_list_type import EnumListType
from onex_operator.contracts.enum_schema_type import EnumSchemaType
from onex_operator.contracts.model_schema import ModelSchema
from onex_operator.contracts.schema_defaults import apply_defaults
from onex_operator.contracts.schema_validation import validate_value
from onex_operator.contracts.schema_walk import walk

_SCALARS = frozenset(
    {EnumSchemaType.STRING, EnumSchemaType.INTEGER, EnumSchemaType.NUMBER, EnumSchemaType.BOOLEAN}
)


def _list_problems(schema: ModelSchema) -> list[str]:
    items = schema.items
    if items is None:
        return ["an array needs items"]
    if schema.list_type == EnumListType.SET and items.type not in _SCALARS:
        return ["x-kubernetes-list-type set needs scalar items"]
    if schema.list_type == EnumListType.MAP:
        properties = items.properties or {}
        required = set(items.required or [])
        keys = schema.list_map_keys or []
        if not keys:
            return ["x-kubernetes-list-type map needs x-kubernetes-list-map-keys"]
        return [
            f"list map key {key!r} must be a required or defaulted property of the items"
            for key in keys
            if key not in properties or (key not in required and not properties[key].has_default)
        ]
    return []


def _default_problems(schema: ModelSchema) -> list[str]:
    defaulted = apply_defaults(copy.deepcopy(schema.default), schema)
    return [
        f"default is invalid: {error.path or 'value'}: {error.message}"
        for error in validate_value(defaulted, schema, "")
    ]


def _rule_problems(schema: ModelSchema) -> list[str]:
    problems = []
    for rule in schema.validations or []:
        try:
            compile_rule(rule.rule)
        except ValueError as error:
            problems.append(f"CEL rule does not compile: {error}")
    return problems


def _node_problems(path: str, schema: ModelSchema) -> list[str]:
    problems: list[str] = []
    if schema.type is None:
        problems.append("every schema needs a type (structural schema)")
    if ".properties." in path and not schema.description:
        problems.append("every field needs a description (kubectl explain shows it)")
    if schema.type == EnumSchemaType.ARRAY:
        problems += _list_problems(schema)
    if schema.has_default:
        problems += _default_problems(schema)
    return problems + _rule_problems(schema)


def resolved_problems(schema: ModelSchema, root: str) -> list[tuple[str, str]]:
    """(path, problem) for every node of a resolved definition."""
    return [(path, problem) for path, node in walk(schema, root) for problem in _node_problems(path, node)]
