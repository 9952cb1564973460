"""ConsulService in a plan: serviceId is immutable (a CEL rule), ownership is the service meta
(which names the live resource's uid), and the changes are the adapter's own, by field and check
name: a meta value, a check's URL or a token is never shown."""

from __future__ import annotations

from onex_operator.kube.api import JsonObject
from onex_operator.models.model_consul_service_spec import ModelConsulServiceSpec
from onex_operator.nodes.consul_adapter.model_consul_observation import ModelConsulServiceObservation
from onex_operator.nodes.consul_adapter.model_service_plan import ModelServicePlan
from onex_operator.nodes.consul_adapter.ownership import (
    MANAGED_BY_KEY,
    MANAGED_BY_VALUE,
    OWNER_UID_KEY,
    is_managed,
)
from onex_operator.planning.model_resource_plan import PlannedChange
from onex_operator.runtime.managed.adapter import EnumOwnership, Ownership
from onex_operator.runtime.managed.envelope import ManagedResource

ServiceResource = ManagedResource[ModelConsulServiceSpec]

OWNERSHIP_NOTE = (
    "a file has no uid: an existing registration counts as a resource's own only when spec.adopt is "
    f"true or its service meta ({MANAGED_BY_KEY}: {MANAGED_BY_VALUE}, {OWNER_UID_KEY}) names the uid of "
    "the live ConsulService of the same name; otherwise the operator reports ResourceConflict and leaves "
    "the registration alone"
)


def _explicit_service_id(body: JsonObject) -> str | None:
    """spec.serviceId as written (None when left to the default): what the CEL rule compares."""
    spec = body.get("spec")
    value = spec.get("serviceId") if isinstance(spec, dict) else None
    return str(value) if value else None


class ConsulServicePresentation:
    noun = "registration"
    ownership_note = OWNERSHIP_NOTE

    def refusal(self, resource: ServiceResource, live: JsonObject | None) -> str | None:
        # the CRD's rule compares spec.serviceId as written: setting it, even to the default
        # <namespace>-<name>, or removing it, is refused as much as changing it
        if live is None:
            return None
        live_id, file_id = _explicit_service_id(live), _explicit_service_id(resource.body)
        if live_id == file_id:
            return None
        managed = live_id or f"{resource.namespace}-{resource.name} (the default)"
        wanted = f"serviceId {file_id}" if file_id else "no serviceId"
        return (
            f"serviceId is immutable: ConsulService {resource.label} manages service id {managed}, "
            f"the file has {wanted}; create a new ConsulService for another service id"
        )

    def explain(
        self,
        resource: ServiceResource,
        observed: ModelConsulServiceObservation | None,
        ownership: Ownership,
        unseen: str | None,
    ) -> str | None:
        if observed is None:
            return None  # nothing registered: nothing to explain
        if resource.spec.adopt:
            return "spec.adopt is true: the existing registration is taken over"
        if unseen is not None:
            return f"{unseen}, so no uid can show that this resource registered the service"
        live = f"the live ConsulService {resource.label}"
        if ownership.state is EnumOwnership.OURS:
            return f"its meta names {live} ({OWNER_UID_KEY} {resource.uid})"
        if is_managed(observed.meta):
            owner = observed.meta.get(OWNER_UID_KEY) or "none"
            return f"its meta names {OWNER_UID_KEY} {owner}, not {live} (uid {resource.uid})"
        return f"its meta has no {MANAGED_BY_KEY}: {MANAGED_BY_VALUE}: the operator did not register it"

    def changes(self, plan: ModelServicePlan) -> list[PlannedChange]:
        return [*plan.changes]
