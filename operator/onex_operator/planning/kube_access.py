"""The Kubernetes API as a plan reaches it: reads pass, anything else never leaves the process.

The guard sits under every client a plan builds (the operator's KubeApi, the adapters' Secret
reads, the live listings), so no code path of any kind's adapter can write during a plan.
"""

from __future__ import annotations

from urllib.parse import urlsplit
from uuid import UUID

from kubernetes import client
from kubernetes.client import ApiClient, rest

from onex_operator.errors import ModelInfraErrorContext, ProtocolConfigurationError
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType

_READS = frozenset({"GET", "HEAD"})


class PlanWriteRefusedError(RuntimeError):
    """A write to Kubernetes was attempted during a plan: a bug of the plan, never the user's error."""


class _ReadOnlyRest(rest.RESTClientObject):
    """The client's REST layer, passing reads to the real one (no pool of its own: no super init)."""

    def __init__(self, inner: rest.RESTClientObject) -> None:
        self._inner = inner

    def request(
        self,
        method: str,
        url: str,
        headers: dict[str, str] | None = None,
        body: object = None,
        post_params: object = None,
        _request_timeout: object = None,
    ) -> rest.RESTResponse:
        if method.upper() not in _READS:
            raise PlanWriteRefusedError(f"a plan writes nothing: {method} {urlsplit(url).path} refused")
        response: rest.RESTResponse = self._inner.request(  # type: ignore[no-untyped-call]
            method,
            url,
            headers=headers,
            body=body,
            post_params=post_params,
            _request_timeout=_request_timeout,
        )
        return response

    def close(self) -> None:
        self._inner.close()


class _Unconsulted(rest.RESTClientObject):
    """A REST layer for a plan that must not contact Kubernetes at all."""

    def __init__(self, reason: str, correlation_id: UUID) -> None:
        self._reason = reason
        self._correlation_id = correlation_id

    def request(
        self,
        method: str,
        url: str,
        headers: dict[str, str] | None = None,
        body: object = None,
        post_params: object = None,
        _request_timeout: object = None,
    ) -> rest.RESTResponse:
        path = urlsplit(url).path
        context = ModelInfraErrorContext(
            transport_type=EnumInfraTransportType.HTTP,
            operation=f"{method} kubernetes",
            target_name=path,
            correlation_id=self._correlation_id,
        )
        raise ProtocolConfigurationError(f"Kubernetes is not consulted {self._reason}", context=context)

    def close(self) -> None:
        return None  # no connection was ever made


def read_only(api_client: ApiClient) -> ApiClient:
    api_client.rest_client = _ReadOnlyRest(api_client.rest_client)
    return api_client


def unconsulted(reason: str, correlation_id: UUID) -> ApiClient:
    """A client that answers every request with a ProtocolConfigurationError saying `reason`."""
    api_client = ApiClient(client.Configuration())
    api_client.rest_client = _Unconsulted(reason, correlation_id)
    return api_client
