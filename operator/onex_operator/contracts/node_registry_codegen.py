"""Contracts -> the node registry: what the running operator needs of each contract, as Python.

An installed operator (a container image) has no contracts/ folder, so every node's identity, type
and I/O timeouts are generated into two modules: `model_node_runtime_contract.py` holds the class,
`node_contracts.py` one instance per node and the lookups by node and by I/O operation.
"""

from __future__ import annotations

from pydantic import JsonValue

from onex_operator.contracts.catalog import ContractCatalog
from onex_operator.contracts.enum_node_type import EnumNodeType
from onex_operator.contracts.model_codegen import GeneratedSource, ModelGenerator
from onex_operator.contracts.model_node_contract import ModelNodeContract
from onex_operator.contracts.model_schema import ModelSchema
from onex_operator.contracts.naming import GENERATED_NOTICE, MODELS_PACKAGE, module_name
from onex_operator.contracts.python_literals import json_literal

RUNTIME_MODEL = "ModelNodeRuntimeContract"
REGISTRY_MODULE = "node_contracts"
_ORIGIN = "the identity, node_type and io_operations of every contracts/*/contract.yaml"


def _string(description: str) -> dict[str, JsonValue]:
    return {"type": "string", "description": description}


# Described in the contract dialect so the class comes out of the same generator as every model.
_RUNTIME_SCHEMA = ModelSchema.model_validate(
    {
        "type": "object",
        "description": "What the running operator needs of one node's contract.",
        "required": [
            "node_name",
            "node_version",
            "contract_version",
            "contract_name",
            "node_type",
            "io_timeouts",
        ],
        "properties": {
            "node_name": _string("The node's name, as its contracts/<node_name>/ folder."),
            "node_version": _string("Version of the node."),
            "contract_version": _string(
                "Version of the contract, as in the CRDs' contract-version annotation."
            ),
            "contract_name": _string("Name of the contract."),
            "node_type": {
                "type": "string",
                "enum": [node_type.value for node_type in EnumNodeType],
                "description": "ONEX node type.",
            },
            "io_timeouts": {
                "type": "object",
                "additionalProperties": {"type": "number"},
                "description": "Seconds allowed for each I/O operation, by operation name (EFFECT nodes).",
            },
        },
    }
)

# Plain text, not a template: the lookups do not depend on the contracts.
_LOOKUPS = '''

def node_contract(node_name: str) -> ModelNodeRuntimeContract:
    """The contract of a node; KeyError, naming the known nodes, for an unknown one."""
    contract = NODE_CONTRACTS.get(node_name)
    if contract is None:
        known = ", ".join(NODE_CONTRACTS)
        raise KeyError(f"no node contract named {node_name!r}; the known nodes are: {known}")
    return contract


def operation_timeout(node_name: str, operation: str) -> float:
    """Seconds the runtime allows one I/O operation of a node, as its contract's io_operations say."""
    timeouts = node_contract(node_name).io_timeouts
    timeout = timeouts.get(operation)
    if timeout is None:
        declared = ", ".join(timeouts) or "none"
        raise KeyError(
            f"the contract of node {node_name!r} declares no io operation {operation!r}; "
            f"it declares: {declared}"
        )
    return timeout
'''


def _instance(contract: ModelNodeContract) -> str:
    timeouts: dict[str, JsonValue] = {io.name: io.timeout_seconds for io in contract.io_operations}
    fields: dict[str, JsonValue] = {
        "node_name": contract.node_name,
        "node_version": contract.node_version,
        "contract_version": contract.contract_version,
        "contract_name": contract.contract_name,
        "node_type": contract.node_type.value,
        "io_timeouts": timeouts,
    }
    arguments = ", ".join(f"{name}={json_literal(value)}" for name, value in fields.items())
    return f"{json_literal(contract.node_name)}: {RUNTIME_MODEL}({arguments}),"


def _registry_module(catalog: ContractCatalog) -> GeneratedSource:
    entries = "\n".join(_instance(contract) for _, contract in sorted(catalog.contracts.items()))
    text = (
        f'"""{GENERATED_NOTICE}\n\nSource: {_ORIGIN}\n\n'
        "Every node's contract as the running operator needs it, without contract files to read.\n"
        '"""\n\n'
        "from __future__ import annotations\n\n"
        "from collections.abc import Mapping\n"
        "from types import MappingProxyType\n\n"
        f"from {MODELS_PACKAGE}.{module_name(RUNTIME_MODEL)} import {RUNTIME_MODEL}\n\n"
        "# Read-only: keyed by node_name.\n"
        f"NODE_CONTRACTS: Mapping[str, {RUNTIME_MODEL}] = MappingProxyType({{\n{entries}\n}})\n"
        f"{_LOOKUPS}"
    )
    return GeneratedSource(REGISTRY_MODULE, text)


def registry_sources(catalog: ContractCatalog) -> list[GeneratedSource]:
    """The runtime contract class and the registry of every node's instance of it."""
    model = ModelGenerator(catalog).class_module(RUNTIME_MODEL, _RUNTIME_SCHEMA, _ORIGIN)
    return [model, _registry_module(catalog)]
