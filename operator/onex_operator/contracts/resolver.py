"""Inlining `$ref` and `extends`: a CRD schema must be self-contained (structural, no references)."""

from __future__ import annotations

from onex_operator.contracts.catalog import ContractCatalog, ContractReferenceError
from onex_operator.contracts.model_schema import ModelSchema
from onex_operator.contracts.references import DefinitionRef, parse_ref

# Beside a $ref only these may be given: they describe the use of the type at that site.
_SITE_FIELDS = frozenset({"ref", "description", "default", "validations"})


class SchemaResolver:
    def __init__(self, catalog: ContractCatalog) -> None:
        self._catalog = catalog

    def definition(self, node_name: str, name: str) -> ModelSchema:
        """A definition with every reference inside it inlined."""
        return self._resolve(node_name, self._catalog.definition(node_name, name), ())

    def _resolve(self, node: str, schema: ModelSchema, stack: tuple[DefinitionRef, ...]) -> ModelSchema:
        if schema.ref is not None:
            return self._resolve_site(node, schema, stack)
        if schema.extends is not None:
            schema = self._merge_base(node, schema, stack)
        update: dict[str, object] = {}
        if schema.properties is not None:
            update["properties"] = {
                name: self._resolve(node, prop, stack) for name, prop in schema.properties.items()
            }
        if schema.items is not None:
            update["items"] = self._resolve(node, schema.items, stack)
        if schema.additional_properties is not None:
            update["additional_properties"] = self._resolve(node, schema.additional_properties, stack)
        return schema.model_copy(update=update) if update else schema

    def _follow(self, node: str, ref: str, stack: tuple[DefinitionRef, ...]) -> ModelSchema:
        target = parse_ref(ref, node)
        if target in stack:
            chain = " -> ".join(f"{ref.node_name}#{ref.name}" for ref in (*stack, target))
            raise ContractReferenceError(f"reference cycle: {chain}")
        definition = self._catalog.definition(target.node_name, target.name)
        return self._resolve(target.node_name, definition, (*stack, target))

    def _resolve_site(self, node: str, site: ModelSchema, stack: tuple[DefinitionRef, ...]) -> ModelSchema:
        assert site.ref is not None
        extra = site.model_fields_set - _SITE_FIELDS
        if extra:
            raise ContractReferenceError(
                f"beside $ref only description, default and x-kubernetes-validations are allowed, "
                f"not {sorted(extra)}"
            )
        target = self._follow(node, site.ref, stack)
        update: dict[str, object] = {}
        if site.description is not None:
            update["description"] = site.description
        if site.has_default:
            update["default"] = site.default
        if site.validations:
            update["validations"] = [*(target.validations or []), *site.validations]
        return target.model_copy(update=update) if update else target

    def _merge_base(self, node: str, schema: ModelSchema, stack: tuple[DefinitionRef, ...]) -> ModelSchema:
        assert schema.extends is not None
        base = self._follow(node, schema.extends, stack)
        own = schema.properties or {}
        inherited = base.properties or {}
        clashes = sorted(own.keys() & inherited.keys())
        if clashes:
            raise ContractReferenceError(f"properties {clashes} are already defined by {schema.extends}")
        required = [*(base.required or []), *(schema.required or [])]
        validations = [*(base.validations or []), *(schema.validations or [])]
        return schema.model_copy(
            update={
                "extends": None,
                "properties": {**inherited, **own},
                "required": required or None,
                "validations": validations or None,
            }
        )
