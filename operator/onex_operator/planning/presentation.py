"""What a kind adds to its adapter for `onex-infra plan`: the checks the apiserver makes before the
operator ever sees a change, why an existing object does or does not count as the resource's, and
its changes as the plan's models. Everything else a plan shows comes from the adapter itself."""

from __future__ import annotations

from typing import Protocol, TypeVar

from onex_operator.kube.api import JsonObject
from onex_operator.planning.model_resource_plan import PlannedChange
from onex_operator.runtime.managed.adapter import Ownership
from onex_operator.runtime.managed.envelope import ManagedResource

SpecT_contra = TypeVar("SpecT_contra", contravariant=True)
ObservedT_contra = TypeVar("ObservedT_contra", contravariant=True)
PlanT_contra = TypeVar("PlanT_contra", contravariant=True)


class ProtocolPlanPresentation(Protocol[SpecT_contra, ObservedT_contra, PlanT_contra]):
    @property
    def noun(self) -> str:
        """The external object in one word ("topic"), for "the oldest resource manages a topic"."""
        ...

    @property
    def ownership_note(self) -> str:
        """The ownership rule, noted once under a plan that has a conflict of this kind."""
        ...

    def refusal(self, resource: ManagedResource[SpecT_contra], live: JsonObject | None) -> str | None:
        """What the apiserver would refuse when the file is applied over `live` (immutable fields)."""
        ...

    def explain(
        self,
        resource: ManagedResource[SpecT_contra],
        observed: ObservedT_contra,
        ownership: Ownership,
        unseen: str | None,
    ) -> str | None:
        """Why an existing object does or does not count as this resource's; None when there is
        nothing to explain. `unseen`: why no live status is known (None when it is)."""
        ...

    def changes(self, plan: PlanT_contra) -> list[PlannedChange]: ...
