"""The live resources of one kind. A file has no status: only the live resources' status records
which external object each created, and their creation times say which of two claimants the
operator keeps."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from functools import partial
from uuid import UUID

from kubernetes import client
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError

from onex_operator.errors import (
    InfraAuthenticationError,
    InfraConnectionError,
    ModelInfraErrorContext,
)
from onex_operator.kube.api import GROUP, VERSION, JsonObject
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType


async def read_live(
    api_client: ApiClient, plural: str, namespaces: Iterable[str] | None, correlation_id: UUID
) -> list[JsonObject]:
    """Every resource of `plural` in `namespaces`, or in all namespaces when None."""
    objects = client.CustomObjectsApi(api_client)
    calls: dict[str, Callable[[], object]]
    if namespaces is None:
        calls = {"all namespaces": partial(objects.list_cluster_custom_object, GROUP, VERSION, plural)}
    else:
        calls = {
            namespace: partial(objects.list_namespaced_custom_object, GROUP, VERSION, namespace, plural)
            for namespace in sorted(set(namespaces))
        }
    bodies: list[JsonObject] = []
    for target, call in calls.items():
        bodies += await _items(call, f"list {plural}", target, correlation_id)
    return bodies


async def _items(
    call: Callable[[], object], operation: str, target: str, correlation_id: UUID
) -> list[JsonObject]:
    context = ModelInfraErrorContext(
        transport_type=EnumInfraTransportType.HTTP,
        operation=operation,
        target_name=target,
        correlation_id=correlation_id,
    )
    try:
        listing = await asyncio.to_thread(call)
    except ApiException as error:
        if error.status == 404:
            return []  # the CRD is not installed, so no such resource exists
        if error.status in {401, 403}:
            raise InfraAuthenticationError(
                f"may not {operation} in {target} (HTTP {error.status})", context=context
            ) from error
        raise InfraConnectionError(
            f"Kubernetes API {operation} failed with HTTP {error.status}", context=context
        ) from error
    except (OSError, HTTPError) as error:
        raise InfraConnectionError(
            f"Kubernetes API unreachable for {operation}: {error}", context=context
        ) from error
    items = listing.get("items") if isinstance(listing, dict) else None
    if not isinstance(items, list):
        return []
    return [{str(key): value for key, value in item.items()} for item in items if isinstance(item, dict)]
