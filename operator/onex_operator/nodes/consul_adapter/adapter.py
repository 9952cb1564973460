"""ConsulService as a managed-resource adapter: observe a registration (batched per connection),
plan it (pure), register it, deregister it. Ownership is read from the service's meta
(nodes/consul_adapter/ownership.py).

Agent registration: the agent runs the http and tcp checks, and the catalog follows the agent by its
anti-entropy. An agent that restarts without its state (dev mode, a lost data dir) forgets every
registration: the next drift check finds the service absent and registers it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from onex_operator.container import ONEXContainer
from onex_operator.kube.api import JsonObject
from onex_operator.models.enum_consul_check_status import EnumConsulCheckStatus
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType
from onex_operator.models.enum_managed_kind import EnumManagedKind
from onex_operator.models.model_consul_service_spec import ModelConsulServiceSpec
from onex_operator.nodes.connection_resolver.keys import connection_key
from onex_operator.nodes.consul_adapter.client import ConsulAgent
from onex_operator.nodes.consul_adapter.connection import consul_client_config
from onex_operator.nodes.consul_adapter.model_consul_observation import ModelConsulServiceObservation
from onex_operator.nodes.consul_adapter.model_service_plan import ModelServicePlan
from onex_operator.nodes.consul_adapter.ownership import ownership_of
from onex_operator.nodes.consul_adapter.plan import plan_service
from onex_operator.nodes.consul_adapter.registration import desired_registration, service_id_of
from onex_operator.nodes.infrastructure_reducer.model_reconcile_result import StatusFields
from onex_operator.runtime.managed.adapter import Ownership
from onex_operator.runtime.managed.envelope import ManagedResource

ServiceResource = ManagedResource[ModelConsulServiceSpec]
# worst first: the service's health is its worst check's state (Consul's own aggregation)
_SEVERITY = (
    EnumConsulCheckStatus.CRITICAL,
    EnumConsulCheckStatus.MAINTENANCE,
    EnumConsulCheckStatus.WARNING,
    EnumConsulCheckStatus.PASSING,
)


@dataclass(frozen=True)
class ConsulSession:
    label: str  # the connection, as namespace/name or cluster/name
    agent: ConsulAgent


class ConsulServiceAdapter:
    kind = EnumManagedKind.CONSUL_SERVICE
    plural = "consulservices"
    transport = EnumInfraTransportType.CONSUL

    def __init__(self, container: ONEXContainer) -> None:
        self._container = container

    def parse_spec(self, raw: JsonObject) -> ModelConsulServiceSpec:
        return ModelConsulServiceSpec.model_validate(raw)

    def claim_key(self, body: JsonObject) -> str:
        return f"{connection_key(body)}#{_raw_service_id(body)}"

    def external_name(self, resource: ServiceResource) -> str:
        return f"service id {self._service_id(resource)}"

    def secret_refs(self, resource: ServiceResource) -> set[str]:
        return set()  # a registration reads no Secret of its own; the token is the connection's

    async def connect(self, resource: ServiceResource, correlation_id: UUID) -> ConsulSession:
        container, spec = self._container, resource.spec
        label, config = await container.consul_connections.get(
            (resource.namespace, spec.connection_ref),
            lambda: consul_client_config(
                container.kube, resource.namespace, spec.connection_ref, correlation_id
            ),
        )
        return ConsulSession(label, container.consul_client(label, config))

    def connection_label(self, session: ConsulSession) -> str:
        return session.label

    async def inputs(self, session: ConsulSession, resource: ServiceResource, correlation_id: UUID) -> None:
        return None

    async def observe(
        self, session: ConsulSession, resource: ServiceResource, correlation_id: UUID
    ) -> ModelConsulServiceObservation | None:
        return await session.agent.read(self._service_id(resource), correlation_id)

    def ownership(
        self, resource: ServiceResource, observed: ModelConsulServiceObservation | None, status: JsonObject
    ) -> Ownership:
        return ownership_of(observed, resource.uid)

    def plan(
        self,
        resource: ServiceResource,
        inputs: None,
        observed: ModelConsulServiceObservation | None,
        status: JsonObject,
        ownership: Ownership,
    ) -> ModelServicePlan:
        desired = desired_registration(resource.spec, resource.namespace, resource.name, resource.uid)
        return plan_service(desired, observed)

    def claim(self, resource: ServiceResource, plan: ModelServicePlan) -> StatusFields:
        # the ownership record travels in the registration itself: nothing to claim beforehand
        return {"serviceId": plan.registration.service_id}

    async def apply(
        self,
        session: ConsulSession,
        resource: ServiceResource,
        plan: ModelServicePlan,
        observed: ModelConsulServiceObservation | None,
        correlation_id: UUID,
    ) -> ModelConsulServiceObservation | None:
        if plan.needs_register:
            await session.agent.register(plan.registration, correlation_id)
        # read back (batched with the other reconciles of the moment): the checks' first states
        return await session.agent.read(plan.registration.service_id, correlation_id)

    def status_fields(
        self, resource: ServiceResource, observed: ModelConsulServiceObservation | None
    ) -> StatusFields:
        # the spec's checks only: a stray check (added out of band, removed by the next correction)
        # is drift, and status keeps within the schema's 16 names
        named_in_spec = {check.name for check in resource.spec.checks or ()}
        checks = [
            check
            for check in (observed.checks if observed is not None else ())
            if check.name in named_in_spec
        ]

        def named(status: EnumConsulCheckStatus) -> list[str]:
            return [check.name for check in checks if check.status is status]

        states = {check.status for check in checks}
        health = next((status for status in _SEVERITY if status in states), EnumConsulCheckStatus.PASSING)
        return {
            "serviceId": self._service_id(resource),
            "registered": observed is not None,
            "health": health.value if observed is not None else None,
            "passingChecks": named(EnumConsulCheckStatus.PASSING),
            "warningChecks": named(EnumConsulCheckStatus.WARNING),
            "criticalChecks": named(EnumConsulCheckStatus.CRITICAL),
        }

    async def delete(
        self,
        session: ConsulSession,
        resource: ServiceResource,
        observed: ModelConsulServiceObservation | None,
        correlation_id: UUID,
    ) -> None:
        await session.agent.deregister(self._service_id(resource), correlation_id)

    def _service_id(self, resource: ServiceResource) -> str:
        return service_id_of(resource.spec, resource.namespace, resource.name)


def _raw_service_id(body: JsonObject) -> str:
    """The service id a raw resource names (its spec may not parse): spec.serviceId or
    <namespace>-<name>."""
    spec, metadata = body.get("spec"), body.get("metadata")
    spec = spec if isinstance(spec, dict) else {}
    metadata = metadata if isinstance(metadata, dict) else {}
    explicit = spec.get("serviceId")
    if explicit:
        return str(explicit)
    return f"{metadata.get('namespace', '')}-{metadata.get('name', '')}"
