"""How a plan reaches a resource's service: by the adapter's own connect (the resource's
connectionRef, credentials from its namespace), or through one InfraConnection named on the command
line for every resource (credentials from that connection's namespace)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TypeAlias
from uuid import UUID

from onex_operator.nodes.connection_resolver.keys import INFRA_CONNECTION
from onex_operator.runtime.managed.adapter import (
    InputsT,
    ObservedT,
    PlanT,
    ProtocolResourceAdapter,
    SessionT,
    SpecT,
)
from onex_operator.runtime.managed.envelope import ManagedResource

Connect: TypeAlias = Callable[[ManagedResource[SpecT], UUID], Awaitable[SessionT]]


def connector(
    adapter: ProtocolResourceAdapter[SpecT, SessionT, InputsT, ObservedT, PlanT],
    named: tuple[str, str] | None,
) -> Connect[SpecT, SessionT]:
    """`named`: NAMESPACE/NAME of the InfraConnection every resource uses instead of its own."""
    if named is None:
        return adapter.connect
    namespace, name = named
    ref = {"kind": INFRA_CONNECTION, "name": name}

    async def connect(resource: ManagedResource[SpecT], correlation_id: UUID) -> SessionT:
        # the adapter resolves a connection in the resource's namespace: connect as if the resource
        # lived beside the named connection and named it
        spec = adapter.parse_spec({**resource.raw_spec, "connectionRef": ref})
        return await adapter.connect(replace(resource, namespace=namespace, spec=spec), correlation_id)

    return connect
