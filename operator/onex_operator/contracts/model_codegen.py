"""Contract definitions -> Python source: one Pydantic v2 `Model*` or `Enum*` class per module."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from pydantic import JsonValue

from onex_operator.contracts.catalog import ContractCatalog
from onex_operator.contracts.enum_schema_type import EnumSchemaType
from onex_operator.contracts.model_schema import ModelSchema
from onex_operator.contracts.naming import (
    GENERATED_NOTICE,
    MODELS_PACKAGE,
    enum_member,
    field_name,
    module_name,
)
from onex_operator.contracts.python_literals import json_literal, string_literal
from onex_operator.contracts.references import parse_ref

_MODEL_CONFIG = (
    'ConfigDict(extra="forbid", frozen=True, validate_by_name=True, validate_by_alias=True, '
    "serialize_by_alias=True)"
)
_SCALARS = {
    EnumSchemaType.STRING: "str",
    EnumSchemaType.INTEGER: "int",
    EnumSchemaType.NUMBER: "float",
    EnumSchemaType.BOOLEAN: "bool",
}
_DOCSTRING_WIDTH = 96
_FORMATS = {"date-time": ("datetime", "datetime"), "uuid": ("uuid", "UUID")}


class CodegenError(ValueError):
    """A definition the generator cannot express as a typed model."""


@dataclass
class _Imports:
    names: dict[str, set[str]] = field(default_factory=dict)

    def add(self, module: str, name: str) -> str:
        self.names.setdefault(module, set()).add(name)
        return name

    def render(self) -> str:
        lines = ["from __future__ import annotations", ""]
        # ruff sorts them again; grouping here keeps the raw output close to the final one.
        for module in sorted(self.names):
            lines.append(f"from {module} import {', '.join(sorted(self.names[module]))}")
        return "\n".join(lines)


@dataclass(frozen=True)
class GeneratedSource:
    module: str
    text: str


class ModelGenerator:
    def __init__(self, catalog: ContractCatalog) -> None:
        self._catalog = catalog

    def generate(self) -> list[GeneratedSource]:
        sources: list[GeneratedSource] = []
        for node_name, contract in sorted(self._catalog.contracts.items()):
            for name, schema in contract.definitions.items():
                sources.append(self._definition(node_name, name, schema))
        return sources

    def _definition(self, node: str, name: str, schema: ModelSchema) -> GeneratedSource:
        return self.class_module(name, schema, f"contracts/{node}/contract.yaml, definitions.{name}", node)

    def class_module(self, name: str, schema: ModelSchema, origin: str, node: str = "") -> GeneratedSource:
        """The module of one `Model*` or `Enum*` class: `origin` is named in its header, `node` is the
        contract an unqualified `$ref` in the schema points into.
        """
        header = f'"""{GENERATED_NOTICE}\n\nSource: {origin}\n"""'
        imports = _Imports()
        if name.startswith("Enum"):
            body = self._enum(name, schema, imports)
        else:
            body = self._model(node, name, schema, imports)
        return GeneratedSource(module_name(name), f"{header}\n\n{imports.render()}\n\n\n{body}\n")

    def _enum(self, name: str, schema: ModelSchema, imports: _Imports) -> str:
        imports.add("enum", "StrEnum")
        members = [f"    {enum_member(str(value))} = {json_literal(value)}" for value in schema.enum or []]
        return f"class {name}(StrEnum):\n{_docstring(schema)}\n\n" + "\n".join(members)

    def _model(self, node: str, name: str, schema: ModelSchema, imports: _Imports) -> str:
        if schema.extends is not None:
            base = self._class_ref(node, schema.extends, imports)
            config = ""
        else:
            base = imports.add("pydantic", "BaseModel")
            imports.add("pydantic", "ConfigDict")
            config = f"\n    model_config = {_MODEL_CONFIG}\n"
        required = set(schema.required or [])
        fields = [
            self._field(node, json_name, prop, json_name in required, imports)
            for json_name, prop in (schema.properties or {}).items()
        ]
        return f"class {name}({base}):\n{_docstring(schema)}\n{config}\n" + "\n".join(fields)

    def _class_ref(self, node: str, ref: str, imports: _Imports) -> str:
        target = parse_ref(ref, node)
        return imports.add(f"{MODELS_PACKAGE}.{module_name(target.name)}", target.name)

    def _field(self, node: str, json_name: str, prop: ModelSchema, required: bool, imports: _Imports) -> str:
        python_type = self._type(node, prop, imports)
        kwargs: list[str] = []
        if prop.has_default:
            kwargs.append(self._default(node, prop, imports))
        elif not required:
            python_type = f"{python_type} | None"
            kwargs.append("default=None")
        name = field_name(json_name)
        if name != json_name:
            kwargs.append(f"alias={json_literal(json_name)}")
        kwargs += _constraints(prop)
        if prop.description:
            kwargs.append(f"description={string_literal(prop.description)}")
        imports.add("pydantic", "Field")
        return f"    {name}: {python_type} = Field({', '.join(kwargs)})"

    def _default(self, node: str, prop: ModelSchema, imports: _Imports) -> str:
        value = prop.default
        if prop.ref is not None:
            target = parse_ref(prop.ref, node)
            cls = self._class_ref(node, prop.ref, imports)
            if target.name.startswith("Enum"):
                return f"default={cls}.{enum_member(str(value))}"
            return f"default_factory=lambda: {cls}.model_validate({json_literal(value)})"
        if isinstance(value, list | dict):
            return f"default_factory=lambda: {json_literal(value)}"
        return f"default={json_literal(value)}"

    def _type(self, node: str, schema: ModelSchema, imports: _Imports) -> str:
        if schema.ref is not None:
            return self._class_ref(node, schema.ref, imports)
        if schema.type == EnumSchemaType.ARRAY and schema.items is not None:
            return f"list[{self._constrained(node, schema.items, imports)}]"
        if schema.type == EnumSchemaType.OBJECT:
            return self._mapping_type(node, schema, imports)
        return _scalar_type(schema, imports)

    def _mapping_type(self, node: str, schema: ModelSchema, imports: _Imports) -> str:
        if schema.additional_properties is not None:
            return f"dict[str, {self._constrained(node, schema.additional_properties, imports)}]"
        if schema.preserve_unknown_fields:
            return f"dict[str, {imports.add('pydantic', 'JsonValue')}]"
        raise CodegenError("an inline object needs additionalProperties; name it as a Model* definition")

    def _constrained(self, node: str, schema: ModelSchema, imports: _Imports) -> str:
        """An item or map-value type, carrying its own constraints with Annotated."""
        python_type = self._type(node, schema, imports)
        constraints = _constraints(schema)
        if not constraints:
            return python_type
        imports.add("typing", "Annotated")
        imports.add("pydantic", "Field")
        return f"Annotated[{python_type}, Field({', '.join(constraints)})]"


def _scalar_type(schema: ModelSchema, imports: _Imports) -> str:
    if schema.type is None or schema.type not in _SCALARS:
        raise CodegenError(f"cannot type a schema of type {schema.type}")
    if schema.enum is not None:
        return f"{imports.add('typing', 'Literal')}[{', '.join(json_literal(v) for v in schema.enum)}]"
    if schema.format in _FORMATS:
        module, name = _FORMATS[schema.format]
        return imports.add(module, name)
    return _SCALARS[schema.type]


def _docstring(schema: ModelSchema) -> str:
    text = (schema.description or "").replace('"""', "'''")
    lines = textwrap.wrap(text, _DOCSTRING_WIDTH)
    if len(lines) <= 1:
        return f'    """{text}"""'
    body = "\n    ".join(lines)
    return f'    """{body}\n    """'


def _constraints(schema: ModelSchema) -> list[str]:
    pairs: list[tuple[str, JsonValue]] = [
        ("min_length", schema.min_length if schema.min_length is not None else schema.min_items),
        ("max_length", schema.max_length if schema.max_length is not None else schema.max_items),
        ("ge", schema.minimum),
        ("le", schema.maximum),
        ("pattern", schema.pattern),
    ]
    if schema.type == EnumSchemaType.OBJECT:
        pairs[0] = ("min_length", schema.min_properties)
        pairs[1] = ("max_length", schema.max_properties)
    return [f"{key}={json_literal(value)}" for key, value in pairs if value is not None]
