"""Contract -> CustomResourceDefinition: names, scope, status subresource, columns and the schema."""

from __future__ import annotations

from pydantic import JsonValue

from onex_operator.contracts.model_kubernetes_resource import ModelKubernetesResource
from onex_operator.contracts.model_kubernetes_section import ModelKubernetesSection
from onex_operator.contracts.model_node_contract import ModelNodeContract
from onex_operator.contracts.model_printer_column import ModelPrinterColumn
from onex_operator.contracts.model_schema import ModelSchema
from onex_operator.contracts.resolver import SchemaResolver
from onex_operator.contracts.schema_json import schema_to_json

_READY = '.status.conditions[?(@.type=="Ready")]'

# Every kind ends its `kubectl get` row the same way: readiness, why, and age.
_COMMON_COLUMNS: list[JsonValue] = [
    {
        "name": "Ready",
        "type": "string",
        "jsonPath": f"{_READY}.status",
        "description": "Whether the external object matches the spec.",
    },
    {
        "name": "Reason",
        "type": "string",
        "jsonPath": f"{_READY}.reason",
        "description": "Reason of the Ready condition: an error class or a domain reason.",
    },
    {
        "name": "Message",
        "type": "string",
        "jsonPath": f"{_READY}.message",
        "description": "Message of the Ready condition.",
        "priority": 1,
    },
    {
        "name": "Age",
        "type": "date",
        "jsonPath": ".metadata.creationTimestamp",
        "description": "Time since the resource was created.",
    },
]

# kopf records handler progress under status.kopf; without this the schema would prune it and
# kopf would retry handlers forever.
_KOPF_STATUS = ModelSchema.model_validate(
    {
        "description": "Bookkeeping of the operator framework (kopf); not part of the API.",
        "type": "object",
        "x-kubernetes-preserve-unknown-fields": True,
    }
)
_API_VERSION = ModelSchema.model_validate(
    {
        "type": "string",
        "description": "APIVersion defines the versioned schema of this representation of an object. "
        "Servers should convert recognized schemas to the latest internal value, and may reject "
        "unrecognized values.",
    }
)
_KIND = ModelSchema.model_validate(
    {
        "type": "string",
        "description": "Kind is a string value representing the REST resource this object represents. "
        "Servers may infer this from the endpoint the client submits requests to. In CamelCase.",
    }
)
# The apiserver allows nothing on metadata but its type (it knows ObjectMeta itself).
_METADATA = ModelSchema.model_validate({"type": "object"})


def _column(column: ModelPrinterColumn) -> JsonValue:
    out: dict[str, JsonValue] = {
        "name": column.name,
        "type": column.type.value,
        "jsonPath": column.json_path,
        "description": column.description,
    }
    if column.priority:
        out["priority"] = column.priority
    return out


def resource_schema(
    resolver: SchemaResolver, contract: ModelNodeContract, resource: ModelKubernetesResource
) -> ModelSchema:
    """The whole object's schema (apiVersion, kind, metadata, spec, status), references inlined."""
    status = resolver.definition(contract.node_name, resource.status_model)
    status = status.model_copy(update={"properties": {**(status.properties or {}), "kopf": _KOPF_STATUS}})
    return ModelSchema.model_validate(
        {
            "type": "object",
            "description": resource.description,
            "required": ["spec"],
            "properties": {
                "apiVersion": _API_VERSION,
                "kind": _KIND,
                "metadata": _METADATA,
                "spec": resolver.definition(contract.node_name, resource.spec_model),
                "status": status,
            },
            "x-kubernetes-validations": resource.validations or None,
        }
    )


def crd_name(section: ModelKubernetesSection, resource: ModelKubernetesResource) -> str:
    return f"{resource.plural}.{section.group}"


def build_crd(
    resolver: SchemaResolver,
    contract: ModelNodeContract,
    section: ModelKubernetesSection,
    resource: ModelKubernetesResource,
) -> dict[str, JsonValue]:
    names: dict[str, JsonValue] = {
        "kind": resource.kind,
        "listKind": f"{resource.kind}List",
        "plural": resource.plural,
        "singular": resource.singular,
        "categories": list(resource.categories),
    }
    if resource.short_names:
        names["shortNames"] = list(resource.short_names)
    columns = [_column(column) for column in resource.printer_columns] + _COMMON_COLUMNS
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {
            "name": crd_name(section, resource),
            "labels": {"app.kubernetes.io/part-of": "onex-infra-operator"},
            "annotations": {
                "infra.onex.dev/contract": f"{contract.node_name}/{contract.contract_name}",
                "infra.onex.dev/contract-version": contract.contract_version,
            },
        },
        "spec": {
            "group": section.group,
            "names": names,
            "scope": resource.scope.value,
            "versions": [
                {
                    "name": section.version,
                    "served": True,
                    "storage": True,
                    "subresources": {"status": {}},
                    "additionalPrinterColumns": columns,
                    "schema": {
                        "openAPIV3Schema": schema_to_json(resource_schema(resolver, contract, resource))
                    },
                }
            ],
        },
    }
