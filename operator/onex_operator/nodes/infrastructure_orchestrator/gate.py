"""Every dependsOn target must exist and be Ready (for its current generation) before a resource is
reconciled. A dependency cycle can never become Ready, so it is a configuration error."""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from onex_operator.errors import ModelInfraErrorContext, ProtocolConfigurationError
from onex_operator.kube.api import JsonObject, KubeApi
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType
from onex_operator.models.enum_managed_kind import EnumManagedKind
from onex_operator.models.model_dependency_ref import ModelDependencyRef
from onex_operator.models.model_orchestration_decision import ModelOrchestrationDecision

PLURALS: Mapping[EnumManagedKind, str] = {
    EnumManagedKind.KAFKA_TOPIC: "kafkatopics",
    EnumManagedKind.CONSUL_SERVICE: "consulservices",
    EnumManagedKind.VAULT_SECRET: "vaultsecrets",
    EnumManagedKind.POSTGRES_MIGRATION: "postgresmigrations",
}
DEPENDENCY_RETRY_SECONDS = 10.0
_MAX_GRAPH = 64


def is_ready(body: JsonObject) -> bool:
    """Ready=True, observed for the object's current generation (kstatus' reading)."""
    metadata, status = body.get("metadata"), body.get("status")
    if not isinstance(metadata, dict) or not isinstance(status, dict):
        return False
    generation = metadata.get("generation")
    conditions = status.get("conditions")
    if not isinstance(conditions, list):
        return False
    return any(
        isinstance(c, dict)
        and c.get("type") == "Ready"
        and c.get("status") == "True"
        and c.get("observedGeneration", generation) == generation
        for c in conditions
    )


def _dependency_refs(body: JsonObject) -> list[ModelDependencyRef]:
    spec = body.get("spec")
    raw = spec.get("dependsOn") if isinstance(spec, dict) else None
    return [ModelDependencyRef.model_validate(item) for item in raw] if isinstance(raw, list) else []


async def gate(
    kube: KubeApi,
    *,
    namespace: str,
    kind: EnumManagedKind,
    name: str,
    depends_on: list[ModelDependencyRef],
    correlation_id: UUID,
) -> ModelOrchestrationDecision:
    if not depends_on:
        return ModelOrchestrationDecision(proceed=True)
    await _refuse_cycles(
        kube, namespace, ModelDependencyRef(kind=kind, name=name), depends_on, correlation_id
    )
    waiting: list[ModelDependencyRef] = []
    for ref in depends_on:
        body = await kube.get_namespaced(PLURALS[ref.kind], namespace, ref.name, correlation_id)
        if body is None or not is_ready(body):
            waiting.append(ref)
    if not waiting:
        return ModelOrchestrationDecision(proceed=True)
    return ModelOrchestrationDecision(
        proceed=False,
        reason="DependencyNotReady",
        waiting_on=waiting,
        requeue_after_seconds=DEPENDENCY_RETRY_SECONDS,
    )


async def _refuse_cycles(
    kube: KubeApi,
    namespace: str,
    origin: ModelDependencyRef,
    depends_on: list[ModelDependencyRef],
    correlation_id: UUID,
) -> None:
    """Walk the dependency graph from `origin`; reaching `origin` again is a cycle."""
    seen: set[tuple[str, str]] = set()
    frontier = [(ref, [origin, ref]) for ref in depends_on]
    while frontier and len(seen) < _MAX_GRAPH:
        ref, path = frontier.pop()
        if ref == origin:
            chain = " -> ".join(f"{step.kind.value}/{step.name}" for step in path)
            raise ProtocolConfigurationError(
                f"dependsOn forms a cycle: {chain}",
                context=ModelInfraErrorContext(
                    transport_type=EnumInfraTransportType.HTTP,
                    operation="orchestrate",
                    target_name=f"{namespace}/{origin.name}",
                    correlation_id=correlation_id,
                ),
            )
        key = (ref.kind.value, ref.name)
        if key in seen:
            continue
        seen.add(key)
        body = await kube.get_namespaced(PLURALS[ref.kind], namespace, ref.name, correlation_id)
        if body is not None:
            frontier.extend((next_ref, [*path, next_ref]) for next_ref in _dependency_refs(body))
