"""Where a plan's Kafka is: each resource's own connectionRef (resolved as the operator resolves it,
the SASL password read from the Secret in the resource's namespace), one InfraConnection named on
the command line, or a PLAINTEXT bootstrap address without Kubernetes. Each distinct connection is
resolved once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Protocol
from uuid import UUID

from urllib3.exceptions import HTTPError

from onex_operator.errors import InfraConnectionError, ModelInfraErrorContext
from onex_operator.kube.api import KubeApi
from onex_operator.models.enum_connection_kind import EnumConnectionKind
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType
from onex_operator.models.enum_kafka_security_protocol import EnumKafkaSecurityProtocol
from onex_operator.models.model_connection_ref import ModelConnectionRef
from onex_operator.nodes.connection_resolver.resolve import OPERATION
from onex_operator.nodes.kafka_adapter.connection import kafka_client_config
from onex_operator.nodes.kafka_adapter.model_kafka_client_config import ModelKafkaClientConfig
from onex_operator.planning.model_manifest_resource import ModelManifestResource

Resolved = tuple[str, ModelKafkaClientConfig]


class ProtocolConnectionSource(Protocol):
    async def resolve(self, resource: ModelManifestResource) -> Resolved:
        """The connection's label and client configuration; raises a taxonomy error."""
        ...


class _Once:
    """One resolution per key, shared by every resource that needs it (errors included)."""

    def __init__(self) -> None:
        self._tasks: dict[tuple[str, ...], asyncio.Task[Resolved]] = {}

    async def get(self, key: tuple[str, ...], resolve: Callable[[], Awaitable[Resolved]]) -> Resolved:
        task = self._tasks.get(key)
        if task is None:
            task = asyncio.ensure_future(resolve())
            self._tasks[key] = task
        return await task


async def _resolve(kube: KubeApi, namespace: str, ref: ModelConnectionRef, correlation_id: UUID) -> Resolved:
    try:
        return await kafka_client_config(kube, namespace, ref, correlation_id)
    except HTTPError as error:
        # KubeApi lets urllib3's errors for an unreachable apiserver through untranslated
        context = ModelInfraErrorContext(
            transport_type=EnumInfraTransportType.HTTP,
            operation=OPERATION,
            target_name=f"{namespace}/{ref.name}",
            correlation_id=correlation_id,
        )
        raise InfraConnectionError(f"Kubernetes API unreachable: {error}", context=context) from error


class ResourceConnections:
    """Each resource's spec.connectionRef, in the resource's namespace."""

    def __init__(self, kube: KubeApi, correlation_id: UUID) -> None:
        self._kube = kube
        self._correlation_id = correlation_id
        self._once = _Once()

    async def resolve(self, resource: ModelManifestResource) -> Resolved:
        ref = resource.spec.connection_ref
        key = (resource.namespace, ref.kind.value, ref.name)
        return await self._once.get(
            key, lambda: _resolve(self._kube, resource.namespace, ref, self._correlation_id)
        )


class NamedConnection:
    """One InfraConnection for every resource; its credentials from Secrets in its own namespace."""

    def __init__(self, kube: KubeApi, namespace: str, name: str, correlation_id: UUID) -> None:
        self._kube = kube
        self._namespace = namespace
        self._ref = ModelConnectionRef(kind=EnumConnectionKind.INFRA_CONNECTION, name=name)
        self._correlation_id = correlation_id
        self._once = _Once()

    async def resolve(self, resource: ModelManifestResource) -> Resolved:
        return await self._once.get(
            (), lambda: _resolve(self._kube, self._namespace, self._ref, self._correlation_id)
        )


class BootstrapConnection:
    """A PLAINTEXT broker addressed directly; Kubernetes is not involved."""

    def __init__(self, bootstrap_servers: tuple[str, ...]) -> None:
        self._config = ModelKafkaClientConfig(
            bootstrap_servers=bootstrap_servers, security_protocol=EnumKafkaSecurityProtocol.PLAINTEXT
        )

    async def resolve(self, resource: ModelManifestResource) -> Resolved:
        return self._config.target, self._config
