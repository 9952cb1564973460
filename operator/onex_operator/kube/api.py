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
from dataclasses import dataclass
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

    async def list_namespaced(self, plural: str, namespace: str, correlation_id: UUID) -> list[JsonObject]:
        found = await self._call(
            lambda: self._custom.list_namespaced_custom_object(GROUP, VERSION, namespace, plural),
            f"list {plural}",
            namespace,
            correlation_id,
        )
        items = found.get("items") if isinstance(found, dict) else None
        return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []

    async def terminating_namespaces(self, correlation_id: UUID) -> list[str]:
        found = await self._call(self._core.list_namespace, "list namespaces", "cluster", correlation_id)
        items = found.items if found is not None else []
        return [
            str(item.metadata.name)
            for item in items or []
            if item.metadata is not None and item.metadata.deletion_timestamp is not None
        ]

    async def secrets_with_finalizer(
        self, namespace: str, finalizer: str, correlation_id: UUID
    ) -> list[JsonObject]:
        """The Secrets of `namespace` that carry `finalizer`, as plain objects (metadata only)."""
        found = await self._call(
            lambda: self._core.list_namespaced_secret(namespace), "list secrets", namespace, correlation_id
        )
        return [
            {
                "metadata": {
                    "namespace": namespace,
                    "name": item.metadata.name,
                    "finalizers": item.metadata.finalizers,
                }
            }
            for item in (found.items if found is not None else []) or []
            if item.metadata is not None and finalizer in (item.metadata.finalizers or [])
        ]

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

    async def read_config_map(self, namespace: str, name: str, correlation_id: UUID) -> ConfigMapData | None:
        """A ConfigMap's text data and the names of its binaryData keys, or None when it does not
        exist."""
        config_map = await self._call(
            lambda: self._core.read_namespaced_config_map(name, namespace),
            "get configmaps",
            f"{namespace}/{name}",
            correlation_id,
        )
        if config_map is None:
            return None
        data = config_map.data if isinstance(config_map.data, dict) else {}
        binary = config_map.binary_data if isinstance(config_map.binary_data, dict) else {}
        return ConfigMapData(
            data={str(key): str(value) for key, value in data.items()},
            binary_keys=tuple(sorted(str(key) for key in binary)),
        )

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

    async def set_finalizer(
        self, target: FinalizerTarget, finalizer: str, present: bool, correlation_id: UUID
    ) -> bool:
        """Add or remove one finalizer, guarded by the resourceVersion just read (a concurrent
        change fails the patch instead of losing the other's finalizers). Returns whether the object
        was patched; an object that no longer exists is left alone."""
        where = f"{target.namespace}/{target.name}" if target.namespace else target.name
        found = await self._call(
            lambda: self._read_object(target), f"get {target.plural}", where, correlation_id
        )
        if found is None:
            return False
        metadata = found.get("metadata")
        metadata = metadata if isinstance(metadata, dict) else {}
        current = [str(item) for item in metadata.get("finalizers") or []]
        if (finalizer in current) == present:
            return False
        wanted = [*current, finalizer] if present else [item for item in current if item != finalizer]
        patch: list[JsonObject] = [
            {"op": "test", "path": "/metadata/resourceVersion", "value": metadata.get("resourceVersion")},
            {
                "op": "replace" if "finalizers" in metadata else "add",
                "path": "/metadata/finalizers",
                "value": wanted,
            },
        ]
        await self._call(
            lambda: self._patch_object(target, patch), f"patch {target.plural}", where, correlation_id
        )
        return True

    def _read_object(self, target: FinalizerTarget) -> JsonObject | None:
        if target.plural == "secrets":
            secret = self._core.read_namespaced_secret(target.name, target.namespace or "")
            return _json_object(self._core.api_client.sanitize_for_serialization(secret))
        if target.namespace is None:
            return _json_object(
                self._custom.get_cluster_custom_object(GROUP, VERSION, target.plural, target.name)
            )
        return _json_object(
            self._custom.get_namespaced_custom_object(
                GROUP, VERSION, target.namespace, target.plural, target.name
            )
        )

    def _patch_object(self, target: FinalizerTarget, patch: list[JsonObject]) -> object:
        json_patch = "application/json-patch+json"  # the client would send a list as a merge patch
        if target.plural == "secrets":
            return self._core.patch_namespaced_secret(
                target.name,
                target.namespace or "",
                patch,
                _content_type=json_patch,
            )
        if target.namespace is None:
            return self._custom.patch_cluster_custom_object(
                GROUP, VERSION, target.plural, target.name, patch, _content_type=json_patch
            )
        return self._custom.patch_namespaced_custom_object(
            GROUP, VERSION, target.namespace, target.plural, target.name, patch, _content_type=json_patch
        )

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

    async def patch_cluster_status(
        self, plural: str, name: str, status: JsonObject, correlation_id: UUID
    ) -> None:
        await self._call(
            lambda: self._custom.patch_cluster_custom_object_status(
                GROUP, VERSION, plural, name, {"status": status}
            ),
            f"patch {plural}/status",
            name,
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


@dataclass(frozen=True)
class ConfigMapData:
    data: dict[str, str]
    binary_keys: tuple[str, ...]


@dataclass(frozen=True)
class FinalizerTarget:
    plural: str  # "secrets", or a plural of the infra.onex.dev group
    namespace: str | None  # None: cluster-scoped
    name: str


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
