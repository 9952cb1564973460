"""Each node's contract identity and I/O timeouts, for the nodes: the generated node registry.

The values are generated from contracts/*/contract.yaml into `onex_operator.models.node_contracts`,
so an installed operator, with no contract files beside it, has them too. Unknown nodes and
operations raise KeyError naming the node and operation.
"""

from __future__ import annotations

from onex_operator.models.node_contracts import node_contract, operation_timeout

__all__ = ["node_contract", "operation_timeout"]
