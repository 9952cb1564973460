"""What a kind brings to the managed reconciler: one small adapter (Crossplane's ExternalClient).

The reconciler owns everything else: locks, correlation ids, dependsOn, conflicts between
resources, policies, status, Events, metrics, retries, drift and deletion by policy. An adapter
only knows its service: how to reach it, how to observe and recognise its own external object, a
pure plan, how to apply that plan and how to delete.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, TypeVar
from uuid import UUID

from onex_operator.kube.api import JsonObject
from onex_operator.models.enum_deletion_policy import EnumDeletionPolicy
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType
from onex_operator.models.enum_managed_kind import EnumManagedKind
from onex_operator.models.enum_management_policy import EnumManagementPolicy
from onex_operator.models.model_connection_ref import ModelConnectionRef
from onex_operator.models.model_dependency_ref import ModelDependencyRef
from onex_operator.nodes.infrastructure_reducer.model_reconcile_result import StatusFields
from onex_operator.runtime.managed.envelope import ManagedResource


class ProtocolManagedSpec(Protocol):
    """The spec fields every kind has; deletionPolicy's default differs by kind."""

    @property
    def connection_ref(self) -> ModelConnectionRef: ...
    @property
    def deletion_policy(self) -> EnumDeletionPolicy: ...
    @property
    def management_policy(self) -> EnumManagementPolicy: ...
    @property
    def adopt(self) -> bool: ...
    @property
    def depends_on(self) -> list[ModelDependencyRef] | None: ...
    @property
    def drift_interval(self) -> str | None: ...


SpecT = TypeVar("SpecT", bound=ProtocolManagedSpec)
SessionT = TypeVar("SessionT")
InputsT = TypeVar("InputsT")
ObservedT = TypeVar("ObservedT")
PlanT = TypeVar("PlanT", bound="ProtocolPlan")


class EnumOwnership(StrEnum):
    """Whose the external object is, as far as the adapter can tell."""

    ABSENT = "absent"  # nothing there yet: creating it makes it ours
    OURS = "ours"
    FOREIGN = "foreign"  # exists, and this resource did not create it


@dataclass(frozen=True)
class Ownership:
    state: EnumOwnership
    # for FOREIGN: whose it is and what to do, in words (a default message is used when empty)
    detail: str = ""
    # False: not even `adopt: true` may take it (a Kubernetes Secret another controller owns)
    adoptable: bool = True


class ProtocolChange(Protocol):
    def describe(self) -> str:
        """One line for status messages, Events and `onex-infra plan`; never a secret value."""
        ...


class ProtocolPlan(Protocol):
    @property
    def changes(self) -> Sequence[ProtocolChange]: ...

    @property
    def refusals(self) -> Sequence[str]:
        """Why the spec asks for something the service cannot do; blocks every change."""
        ...


class ProtocolResourceAdapter(Protocol[SpecT, SessionT, InputsT, ObservedT, PlanT]):
    @property
    def kind(self) -> EnumManagedKind: ...

    @property
    def plural(self) -> str: ...

    @property
    def transport(self) -> EnumInfraTransportType: ...

    def parse_spec(self, raw: JsonObject) -> SpecT:
        """The kind's spec model; a pydantic ValidationError when the spec is invalid."""
        ...

    def claim_key(self, body: JsonObject) -> str:
        """Connection and external object named by a (raw) resource: equal keys conflict."""
        ...

    def external_name(self, resource: ManagedResource[SpecT]) -> str:
        """The external object in words (a topic name, a KV path) for messages and logs."""
        ...

    def secret_refs(self, resource: ManagedResource[SpecT]) -> set[str]:
        """Names of Secrets in the resource's namespace whose change should requeue it."""
        ...

    async def connect(self, resource: ManagedResource[SpecT], correlation_id: UUID) -> SessionT:
        """The client for the resource's connection, from the container's pools."""
        ...

    def connection_label(self, session: SessionT) -> str: ...

    async def inputs(
        self, session: SessionT, resource: ManagedResource[SpecT], correlation_id: UUID
    ) -> InputsT:
        """What the plan needs besides the spec (values of referenced Secrets); not read to delete."""
        ...

    async def observe(
        self, session: SessionT, resource: ManagedResource[SpecT], correlation_id: UUID
    ) -> ObservedT:
        """The live state of the external object."""
        ...

    def ownership(
        self, resource: ManagedResource[SpecT], observed: ObservedT, status: JsonObject
    ) -> Ownership: ...

    def plan(
        self,
        resource: ManagedResource[SpecT],
        inputs: InputsT,
        observed: ObservedT,
        status: JsonObject,
        ownership: Ownership,
    ) -> PlanT:
        """Pure: no I/O. With `adopt`, a FOREIGN object is planned as if it were ours."""
        ...

    def claim(self, resource: ManagedResource[SpecT], plan: PlanT) -> StatusFields:
        """Status fields written with Reconciling before `apply`, so a crash in between still
        finds the object this resource's."""
        ...

    async def apply(
        self,
        session: SessionT,
        resource: ManagedResource[SpecT],
        plan: PlanT,
        observed: ObservedT,
        correlation_id: UUID,
    ) -> ObservedT:
        """Apply the plan made against `observed`; returns the state it left."""
        ...

    def status_fields(self, resource: ManagedResource[SpecT], observed: ObservedT) -> StatusFields:
        """The kind's own status fields once in sync (or observed, under Observe)."""
        ...

    async def delete(
        self, session: SessionT, resource: ManagedResource[SpecT], observed: ObservedT, correlation_id: UUID
    ) -> None: ...
