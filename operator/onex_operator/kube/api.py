"""Asynchronous access to the Kubernetes API for what kopf does not do for us: reading connections,
Secrets and dependencies, and writing status outside a handler (drift sweeps, early Reconciling).

The official client is blocking, so every call runs in a worker thread; the event loop never waits.
Errors leave as the taxonomy (transport http): a 401/403 is an authentication error, anything else
unexpected a connection error.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

import urllib3
from kubernetes import client, config
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException

from onex_operator.errors import (
    InfraAuthenticationError,
    InfraConnectionError,
    ModelInfraErrorContext,
    RuntimeHostError,
)
from onex_operator.kube.model_secret_state import ModelSecretState
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType

GROUP = "infra.onex.dev"
IO_THREADS = 32
VERSION = "v1alpha1"

T = TypeVar("T")
JsonObject = dict[str, object]


def load_client_configuration() -> client.Configuration:
    """In a pod: the service account; elsewhere: $KUBECONFIG (read now, not when the client library
    was imported) or ~/.kube/config."""
    configuration = client.Configuration()
    try:
        config.load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
    except ConfigException:
        config.load_kube_config(  # type: ignore[no-untyped-call]
            config_file=os.environ.get("KUBECONFIG"), client_configuration=configuration
        )
    # calls run in worker threads; a pool smaller than the threads would reconnect constantly
    configuration.connection_pool_maxsize = IO_THREADS
    return configuration


def make_api_client() -> ApiClient:
    return ApiClient(load_client_configuration())


class KubeApi:
    def __init__(self, api_client: ApiClient) -> None:
        self._custom = client.CustomObjectsApi(api_client)
        self._core = client.CoreV1Api(api_client)

    async def get_namespaced(
        self, plural: str, namespace: str, name: str, correlation_id: UUID
    ) -> JsonObject | None:
        found = await self._call(
            lambda: self._custom.get_namespaced_custom_object(GROUP, VERSION, namespace, plural, name),
            f"get {plural}",
            f"{namespace}/{name}",
            correlation_id,
        )
        return _json_object(found)

    async def get_cluster(self, plural: str, name: str, correlation_id: UUID) -> JsonObject | None:
        found = await self._call(
            lambda: self._custom.get_cluster_custom_object(GROUP, VERSION, plural, name),
            f"get {plural}",
            name,
            correlation_id,
        )
        return _json_object(found)

    async def read_secret_data(
        self, namespace: str, name: str, correlation_id: UUID
    ) -> dict[str, str] | None:
        """The Secret's base64 data, or None when the Secret does not exist."""
        secret = await self.read_secret(namespace, name, correlation_id)
        return secret.data if secret is not None else None

    async def read_secret(self, namespace: str, name: str, correlation_id: UUID) -> ModelSecretState | None:
        """A Secret's data (base64, as stored), labels and owners, or None when it does not exist."""
        secret = await self._call(
            lambda: self._core.read_namespaced_secret(name, namespace),
            "get secrets",
            f"{namespace}/{name}",
            correlation_id,
        )
        if secret is None:
            return None
        metadata = secret.metadata or client.V1ObjectMeta()
        data = secret.data if isinstance(secret.data, dict) else {}
        owners = metadata.owner_references or []
        return ModelSecretState(
            data={str(key): str(value) for key, value in data.items()},
            labels={str(k): str(v) for k, v in (metadata.labels or {}).items()},
            owner_uids=[str(owner.uid) for owner in owners],
            resource_version=str(metadata.resource_version or ""),
        )

    async def apply_secret(self, namespace: str, secret: JsonObject, correlation_id: UUID) -> None:
        """Create the Secret, or replace it when `secret` carries the resourceVersion it was read
        at (a concurrent change then fails instead of being overwritten)."""
        metadata = secret.get("metadata")
        name = str(metadata.get("name", "")) if isinstance(metadata, dict) else ""
        replacing = isinstance(metadata, dict) and bool(metadata.get("resourceVersion"))
        await self._call(
            # the client serialises a plain dict body as it is
            (lambda: self._core.replace_namespaced_secret(name, namespace, secret))  # type: ignore[arg-type]
            if replacing
            else (lambda: self._core.create_namespaced_secret(namespace, secret)),  # type: ignore[arg-type]
            "replace secrets" if replacing else "create secrets",
            f"{namespace}/{name}",
            correlation_id,
        )

    async def create_secret_if_absent(self, namespace: str, secret: JsonObject, correlation_id: UUID) -> bool:
        """Create the Secret; False when one of that name exists already."""
        metadata = secret.get("metadata")
        name = str(metadata.get("name", "")) if isinstance(metadata, dict) else ""
        try:
            await asyncio.to_thread(
                self._core.create_namespaced_secret,
                namespace,
                secret,  # type: ignore[arg-type]
            )
        except ApiException as error:
            if error.status == 409:
                return False
            raise _translate(error, "create secrets", f"{namespace}/{name}", correlation_id) from error
        except (OSError, ValueError, urllib3.exceptions.HTTPError) as error:
            raise InfraConnectionError(
                f"Kubernetes API unreachable for create secrets: {error}",
                context=_context("create secrets", f"{namespace}/{name}", correlation_id),
            ) from error
        return True

    async def patch_status(
        self, plural: str, namespace: str, name: str, status: JsonObject, correlation_id: UUID
    ) -> None:
        await self._call(
            lambda: self._custom.patch_namespaced_custom_object_status(
                GROUP, VERSION, namespace, plural, name, {"status": status}
            ),
            f"patch {plural}/status",
            f"{namespace}/{name}",
            correlation_id,
        )

    async def post_event(self, namespace: str, event: JsonObject, correlation_id: UUID) -> None:
        await self._call(
            # the client serialises a plain dict body as it is
            lambda: self._core.create_namespaced_event(namespace, event),  # type: ignore[arg-type]
            "create events",
            namespace,
            correlation_id,
        )

    async def _call(
        self, call: Callable[[], T], operation: str, target: str, correlation_id: UUID
    ) -> T | None:
        try:
            return await asyncio.to_thread(call)
        except ApiException as error:
            if error.status == 404:
                return None
            raise _translate(error, operation, target, correlation_id) from error
        except (OSError, ValueError, urllib3.exceptions.HTTPError) as error:
            context = _context(operation, target, correlation_id)
            raise InfraConnectionError(
                f"Kubernetes API unreachable for {operation}: {error}", context=context
            ) from error


def _json_object(value: object) -> JsonObject | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise TypeError(f"the apiserver answered {type(value).__name__}, not an object")
    return {str(key): item for key, item in value.items()}


def _context(operation: str, target: str, correlation_id: UUID) -> ModelInfraErrorContext:
    return ModelInfraErrorContext(
        transport_type=EnumInfraTransportType.HTTP,
        operation=operation,
        target_name=target,
        correlation_id=correlation_id,
    )


def _translate(error: ApiException, operation: str, target: str, correlation_id: UUID) -> RuntimeHostError:
    context = _context(operation, target, correlation_id)
    if error.status in {401, 403}:
        return InfraAuthenticationError(
            f"the operator may not {operation} {target} (HTTP {error.status}); check its RBAC",
            context=context,
        )
    return InfraConnectionError(
        f"Kubernetes API {operation} failed with HTTP {error.status}", context=context
    )


def event_body(involved: JsonObject, reason: str, message: str, warning: bool, now_iso: str) -> JsonObject:
    metadata = involved.get("metadata", {})
    assert isinstance(metadata, dict)
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {
            "generateName": f"{metadata.get('name', 'resource')}.",
            "namespace": metadata.get("namespace"),
        },
        "involvedObject": {
            "apiVersion": involved.get("apiVersion"),
            "kind": involved.get("kind"),
            "name": metadata.get("name"),
            "namespace": metadata.get("namespace"),
            "uid": metadata.get("uid"),
        },
        "reason": reason,
        "message": message[:1024],
        "type": "Warning" if warning else "Normal",
        "source": {"component": "onex-infra-operator"},
        "reportingComponent": "onex-infra-operator",
        "firstTimestamp": now_iso,
        "lastTimestamp": now_iso,
        "count": 1,
    }
