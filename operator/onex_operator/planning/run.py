"""One plan, end to end: load the files, build the operator's adapters over clients that only read,
read the cluster's live resources of each kind (unless --bootstrap), plan every resource by its kind.
The only place that builds clients for a plan; nothing is written."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID, uuid4

import yaml
from kubernetes.client import ApiClient
from kubernetes.config.config_exception import ConfigException

from onex_operator.errors import (
    ModelInfraErrorContext,
    ProtocolConfigurationError,
    RuntimeHostError,
    classify,
)
from onex_operator.kube.api import KubeApi, make_api_client
from onex_operator.models.enum_connection_kind import EnumConnectionKind
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType
from onex_operator.planning.claims import Claims
from onex_operator.planning.enum_plan_verdict import EnumPlanVerdict
from onex_operator.planning.kinds import plan_kinds
from onex_operator.planning.kube_access import read_only, unconsulted
from onex_operator.planning.live import read_live
from onex_operator.planning.manifest_resource import ManifestResource
from onex_operator.planning.manifests import load_manifests
from onex_operator.planning.model_plan_error import ModelPlanError
from onex_operator.planning.model_plan_report import ModelPlanReport
from onex_operator.planning.model_resource_plan import ModelResourcePlan
from onex_operator.planning.plan_container import PlanContainer
from onex_operator.planning.plan_kind import ProtocolPlanKind

BOOTSTRAP_REASON = "Kubernetes was not consulted (--bootstrap)"


@dataclass(frozen=True)
class PlanRequest:
    files: Sequence[Path]
    namespace: str
    # NAMESPACE/NAME of an InfraConnection for every resource
    connection: tuple[str, str] | None = None
    # PLAINTEXT brokers for KafkaTopics, Kubernetes not consulted
    bootstrap: tuple[str, ...] | None = None

    @property
    def connections(self) -> str:
        if self.bootstrap is not None:
            return f"KafkaTopics on PLAINTEXT bootstrap {','.join(self.bootstrap)}, Kubernetes not consulted"
        if self.connection is not None:
            return f"InfraConnection {self.connection[0]}/{self.connection[1]} for every resource"
        return "each resource's spec.connectionRef"


def _kubeconfig_client(correlation_id: UUID) -> ApiClient:
    try:
        return make_api_client()
    except (ConfigException, OSError, ValueError, yaml.YAMLError) as error:
        context = ModelInfraErrorContext(
            transport_type=EnumInfraTransportType.HTTP,
            operation="load_kubeconfig",
            target_name="kubeconfig",
            correlation_id=correlation_id,
        )
        raise ProtocolConfigurationError(
            f"no Kubernetes configuration ({error}); set KUBECONFIG, or use --bootstrap HOST:PORT",
            context=context,
        ) from error


def _kubernetes(
    request: PlanRequest, correlation_id: UUID
) -> tuple[ApiClient, ProtocolConfigurationError | None]:
    """The client a plan reads Kubernetes with; without a configuration, why (the plan then stops
    once the files are read, so the stand-in client is never asked)."""
    if request.bootstrap is not None:
        return unconsulted("with --bootstrap", correlation_id), None
    try:
        return read_only(_kubeconfig_client(correlation_id)), None
    except ProtocolConfigurationError as error:
        return unconsulted("without a configuration", correlation_id), error


def _namespaces(resources: Sequence[ManifestResource]) -> set[str] | None:
    """Where other claimants may be: everywhere when a ClusterInfraConnection is shared."""
    cluster = EnumConnectionKind.CLUSTER_INFRA_CONNECTION
    if any(resource.spec.connection_ref.kind is cluster for resource in resources):
        return None
    return {resource.namespace for resource in resources}


async def make_plan(request: PlanRequest) -> ModelPlanReport:
    correlation_id = uuid4()
    api_client, kube_error = _kubernetes(request, correlation_id)
    # building clients contacts nobody: the files are read first, and may need no service at all
    kinds = {
        kind.kind: kind
        for kind in plan_kinds(PlanContainer(KubeApi(api_client)), request.connection, request.bootstrap)
    }
    found = load_manifests(
        request.files, request.namespace, {name: kind.parse_spec for name, kind in kinds.items()}
    )
    report = ModelPlanReport(
        correlation_id=correlation_id,
        connections=request.connections,
        skipped=found.skipped,
        invalid=found.invalid,
    )
    if not found.resources:
        return report
    if kube_error is not None:
        return report.model_copy(update={"error": ModelPlanError.of(kube_error)})
    notes: list[str] = []
    planned = [kind for kind in kinds.values() if any(r.kind is kind.kind for r in found.resources)]
    claims = {
        kind.kind: await _claims(
            request, api_client, kind, found.resources, correlation_id=correlation_id, notes=notes
        )
        for kind in planned
    }
    plans = await asyncio.gather(
        # concurrently: batching clients (Kafka's describes) then send one request for many
        *(kinds[r.kind].plan(r, claims[r.kind], correlation_id) for r in found.resources)
    )
    notes += [kind.ownership_note for kind in planned if _explained_conflict(plans, kind)]
    return report.model_copy(update={"resources": list(plans), "notes": notes})


def _explained_conflict(plans: Sequence[ModelResourcePlan], kind: ProtocolPlanKind) -> bool:
    return any(
        plan.kind is kind.kind and plan.verdict is EnumPlanVerdict.CONFLICT and plan.ownership
        for plan in plans
    )


async def _claims(
    request: PlanRequest,
    api_client: ApiClient,
    kind: ProtocolPlanKind,
    resources: Sequence[ManifestResource],
    *,
    correlation_id: UUID,
    notes: list[str],
) -> Claims:
    mine = [resource for resource in resources if resource.kind is kind.kind]
    if request.bootstrap is not None:
        return Claims(kind.kind, kind.claim_key, mine, [], BOOTSTRAP_REASON)
    try:
        live = await read_live(api_client, kind.plural, _namespaces(mine), correlation_id)
    except RuntimeHostError as error:
        reason = f"the live {kind.kind.value}s could not be read ({classify(error).error_class.value})"
        notes.append(f"{reason}: {error.message}; ownership and other claimants are unknown")
        return Claims(kind.kind, kind.claim_key, mine, [], reason)
    return Claims(kind.kind, kind.claim_key, mine, live, None)
