"""Checks on the contracts themselves: node-type rules, references that resolve, dependencies
declared, definitions that make a valid CRD and typed models, a coherent Kubernetes surface."""

from __future__ import annotations

from collections.abc import Iterator

from onex_operator.contracts.catalog import ContractCatalog, ContractReferenceError
from onex_operator.contracts.enum_dependency_kind import EnumDependencyKind
from onex_operator.contracts.enum_node_type import EnumNodeType
from onex_operator.contracts.enum_schema_type import EnumSchemaType
from onex_operator.contracts.model_node_contract import ModelNodeContract
from onex_operator.contracts.model_schema import ModelSchema
from onex_operator.contracts.model_validation_issue import ModelValidationIssue
from onex_operator.contracts.references import parse_ref
from onex_operator.contracts.resolved_schema_checks import resolved_problems
from onex_operator.contracts.resolver import SchemaResolver
from onex_operator.contracts.schema_walk import walk

REQUIRED_CATEGORY = "onex"
_FOUND = tuple[str, str]  # (path inside the contract, problem)


def _node_type_problems(contract: ModelNodeContract) -> Iterator[_FOUND]:
    if contract.node_type == EnumNodeType.EFFECT and not contract.io_operations:
        yield "io_operations", "an EFFECT node must declare its io_operations, each with timeout_seconds"
    if contract.node_type != EnumNodeType.EFFECT and contract.io_operations:
        yield (
            "io_operations",
            f"only EFFECT nodes perform I/O; a {contract.node_type.value} node declares none",
        )
    if contract.kubernetes is not None and contract.node_type != EnumNodeType.EFFECT:
        yield "kubernetes", "only EFFECT nodes serve custom resources"
    names = [operation.name for operation in contract.io_operations]
    for name in sorted({name for name in names if names.count(name) > 1}):
        yield "io_operations", f"operation {name!r} is declared twice"
    for field in ("input_model", "output_model"):
        if getattr(contract, field) not in contract.definitions:
            yield field, f"{getattr(contract, field)!r} is not in definitions"


def _definition_shape(name: str, schema: ModelSchema) -> Iterator[str]:
    if name.startswith("Enum"):
        if schema.type != EnumSchemaType.STRING or not schema.enum:
            yield "an Enum* definition is a string schema with enum values"
    elif name.startswith("Model"):
        if schema.type != EnumSchemaType.OBJECT or (schema.properties is None and schema.extends is None):
            yield "a Model* definition is an object schema with properties"
    else:
        yield "definition names start with Model (objects) or Enum (string enums)"
    if not schema.description:
        yield "every definition needs a description"


def _raw_problems(contract: ModelNodeContract, catalog: ContractCatalog) -> Iterator[_FOUND]:
    """Problems visible before resolution: references, dependencies, and inline objects."""
    contract_deps = {dep.name for dep in contract.dependencies if dep.kind == EnumDependencyKind.CONTRACT}
    for dep in sorted(contract_deps - catalog.contracts.keys()):
        yield "dependencies", f"contract dependency {dep!r} does not exist"
    for name, definition in contract.definitions.items():
        root = f"definitions.{name}"
        for problem in _definition_shape(name, definition):
            yield root, problem
        for path, node in walk(definition, root):
            for ref in (node.ref, node.extends):
                if ref is None:
                    continue
                try:
                    target = parse_ref(ref, contract.node_name)
                    catalog.definition(*target)
                except ContractReferenceError as error:
                    yield path, str(error)
                    continue
                if target.node_name != contract.node_name and target.node_name not in contract_deps:
                    yield path, f"references {target.node_name!r}, which is not a contract dependency"
            if path != root and node.type == EnumSchemaType.OBJECT and node.properties is not None:
                yield path, "an inline object with properties cannot be typed; make it a Model* definition"


def _resolved_problems(contract: ModelNodeContract, resolver: SchemaResolver) -> Iterator[_FOUND]:
    for name in contract.definitions:
        root = f"definitions.{name}"
        try:
            resolved = resolver.definition(contract.node_name, name)
        except ContractReferenceError as error:
            yield root, str(error)
            continue
        yield from resolved_problems(resolved, root)


def _kubernetes_problems(contract: ModelNodeContract) -> Iterator[_FOUND]:
    if contract.kubernetes is None:
        return
    for position, resource in enumerate(contract.kubernetes.resources):
        where = f"kubernetes.resources[{position}]"
        if REQUIRED_CATEGORY not in resource.categories:
            yield where, f"categories must include {REQUIRED_CATEGORY!r} (kubectl get {REQUIRED_CATEGORY})"
        for field in ("spec_model", "status_model"):
            if getattr(resource, field) not in contract.definitions:
                yield f"{where}.{field}", f"{getattr(resource, field)!r} is not in definitions"
        for column in resource.printer_columns:
            if not column.json_path.startswith((".spec.", ".status.", ".metadata.")):
                yield f"{where}.printer_columns", f"{column.json_path!r} is not a field of the resource"


def _catalog_problems(catalog: ContractCatalog) -> Iterator[tuple[str, _FOUND]]:
    """Uniqueness across contracts: one models package, one API group."""
    owners: dict[str, str] = {}
    for node, contract in sorted(catalog.contracts.items()):
        for name in contract.definitions:
            if name in owners:
                yield (
                    node,
                    (f"definitions.{name}", f"also defined by {owners[name]!r}; definition names are global"),
                )
            owners.setdefault(name, node)
    seen: dict[str, str] = {}
    for node, contract in sorted(catalog.contracts.items()):
        for resource in contract.kubernetes.resources if contract.kubernetes else []:
            for label in [resource.kind, resource.plural, *resource.short_names]:
                if label in seen:
                    yield node, ("kubernetes", f"{label!r} is already used by {seen[label]!r}")
                seen.setdefault(label, node)


def check_catalog(catalog: ContractCatalog) -> list[ModelValidationIssue]:
    resolver = SchemaResolver(catalog)
    issues: list[ModelValidationIssue] = []
    for node, contract in sorted(catalog.contracts.items()):
        found = [
            *_node_type_problems(contract),
            *_raw_problems(contract, catalog),
            *_resolved_problems(contract, resolver),
            *_kubernetes_problems(contract),
        ]
        issues += [ModelValidationIssue(file=str(catalog.paths[node]), path=p, message=m) for p, m in found]
    for node, (path, message) in _catalog_problems(catalog):
        issues.append(ModelValidationIssue(file=str(catalog.paths[node]), path=path, message=message))
    return issues
