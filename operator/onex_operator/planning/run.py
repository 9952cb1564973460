"""One plan, end to end: load the files, find Kafka (and, unless --bootstrap, the cluster's live
KafkaTopics), observe, plan. The only place that builds clients for a plan; nothing is written."""

from __future__ import annotations

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
from onex_operator.nodes.kafka_adapter.admin import KafkaTopicAdmin
from onex_operator.nodes.kafka_adapter.model_kafka_client_config import ModelKafkaClientConfig
from onex_operator.planning.claims import Claims
from onex_operator.planning.connections import (
    BootstrapConnection,
    NamedConnection,
    ProtocolConnectionSource,
    ResourceConnections,
)
from onex_operator.planning.enum_plan_verdict import EnumPlanVerdict
from onex_operator.planning.live import read_live_topics
from onex_operator.planning.manifests import load_manifests
from onex_operator.planning.model_manifest_resource import ModelManifestResource
from onex_operator.planning.model_plan_error import ModelPlanError
from onex_operator.planning.model_plan_report import ModelPlanReport
from onex_operator.planning.planner import Planner, ProtocolTopicDescriber

OWNERSHIP_NOTE = (
    "a file has no status: an existing topic counts as a resource's own only when spec.adopt is true "
    "or the live KafkaTopic of the same name records it in status.topicId (or status.topicName before "
    "the id is known); otherwise the operator reports ResourceConflict and leaves the topic alone"
)


@dataclass(frozen=True)
class PlanRequest:
    files: Sequence[Path]
    namespace: str
    # NAMESPACE/NAME of an InfraConnection for every resource
    connection: tuple[str, str] | None = None
    # PLAINTEXT brokers, Kubernetes not consulted
    bootstrap: tuple[str, ...] | None = None

    @property
    def kafka(self) -> str:
        if self.bootstrap is not None:
            return f"PLAINTEXT bootstrap {','.join(self.bootstrap)}, Kubernetes not consulted"
        if self.connection is not None:
            return f"InfraConnection {self.connection[0]}/{self.connection[1]}"
        return "each resource's spec.connectionRef"


class _Uncounted:
    """A plan keeps no metrics."""

    def count_admin_request(self, transport: str, operation: str) -> None:
        return None


class AdminClients:
    """One admin client per distinct cluster and credentials, as the operator's container does."""

    def __init__(self) -> None:
        self._admins: dict[ModelKafkaClientConfig, KafkaTopicAdmin] = {}

    def __call__(self, config: ModelKafkaClientConfig) -> ProtocolTopicDescriber:
        admin = self._admins.get(config)
        if admin is None:
            admin = self._admins[config] = KafkaTopicAdmin(config, _Uncounted())
        return admin


def _namespaces(resources: Sequence[ModelManifestResource]) -> set[str] | None:
    """Where other claimants may be: everywhere when a ClusterInfraConnection is shared."""
    cluster = EnumConnectionKind.CLUSTER_INFRA_CONNECTION
    if any(resource.spec.connection_ref.kind is cluster for resource in resources):
        return None
    return {resource.namespace for resource in resources}


def _api_client(correlation_id: UUID) -> ApiClient:
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


async def make_plan(request: PlanRequest) -> ModelPlanReport:
    correlation_id = uuid4()
    found = load_manifests(request.files, request.namespace)
    report = ModelPlanReport(
        correlation_id=correlation_id, kafka=request.kafka, skipped=found.skipped, invalid=found.invalid
    )
    if not found.resources:
        return report
    notes: list[str] = []
    connections: ProtocolConnectionSource
    if request.bootstrap is not None:
        connections = BootstrapConnection(request.bootstrap)
        claims = Claims(found.resources, [], "Kubernetes was not consulted (--bootstrap)")
    else:
        try:
            api_client = _api_client(correlation_id)
        except RuntimeHostError as error:
            return report.model_copy(update={"error": ModelPlanError.of(error)})
        kube = KubeApi(api_client)
        if request.connection is not None:
            connections = NamedConnection(kube, *request.connection, correlation_id)
        else:
            connections = ResourceConnections(kube, correlation_id)
        claims = await _claims(api_client, found.resources, correlation_id, notes)
    plans = await Planner(connections, AdminClients(), claims, correlation_id).plan(found.resources)
    if any(plan.verdict is EnumPlanVerdict.CONFLICT and plan.ownership for plan in plans):
        notes.append(OWNERSHIP_NOTE)
    return report.model_copy(update={"resources": plans, "notes": notes})


async def _claims(
    api_client: ApiClient, resources: Sequence[ModelManifestResource], correlation_id: UUID, notes: list[str]
) -> Claims:
    try:
        live = await read_live_topics(api_client, _namespaces(resources), correlation_id)
    except RuntimeHostError as error:
        reason = f"the live KafkaTopics could not be read ({classify(error).error_class.value})"
        notes.append(f"{reason}: {error.message}; ownership and other claimants of the topics are unknown")
        return Claims(resources, [], reason)
    return Claims(resources, live, None)
