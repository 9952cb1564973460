"""The agent API of one Consul connection, asynchronous and batched.

py-consul (over requests) blocks, so every call runs in this client's own bounded thread pool and is
awaited with the contract's timeout; the requests themselves carry the same timeout, so a thread
given up on is freed soon after.

Observation is batched (Strimzi's BatchingLoop, through `Batcher`): the services asked about in one
window cost one read of the agent's services and one of its checks, whatever their number, so an
idle drift interval costs two reads per connection. Writes are per service: the agent API has no
batch registration.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol, TypeVar
from uuid import UUID

import consul
import requests

from onex_operator.batching import Batcher
from onex_operator.errors import register_secret
from onex_operator.models.enum_consul_check_status import EnumConsulCheckStatus
from onex_operator.nodes.consul_adapter.errors import translate
from onex_operator.nodes.consul_adapter.model_consul_client_config import ModelConsulClientConfig
from onex_operator.nodes.consul_adapter.model_consul_observation import (
    ModelConsulCheckObservation,
    ModelConsulServiceObservation,
)
from onex_operator.nodes.consul_adapter.model_consul_registration import ModelConsulRegistration
from onex_operator.nodes.consul_adapter.ownership import is_managed
from onex_operator.nodes.contract_io import node_contract, operation_timeout

NODE = "consul_adapter"
DEFAULT_MAX_CONCURRENCY = 16
# a thread is given up on a little after the request's own timeout should have ended it
_AWAIT_MARGIN_SECONDS = 1.0

T = TypeVar("T")


class ProtocolConsulMetrics(Protocol):
    """What the client reports: requests made, and the states of the operator's checks."""

    def count_admin_request(self, transport: str, operation: str) -> None: ...

    def set_consul_checks(self, agent: str, counts: Mapping[str, int]) -> None: ...


@dataclass(frozen=True)
class _Read:
    service_id: str
    correlation_id: UUID


class ConsulAgent:
    """One per connection (address and token); share it between reconciles."""

    def __init__(
        self,
        config: ModelConsulClientConfig,
        metrics: ProtocolConsulMetrics,
        *,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
    ) -> None:
        self._config = config
        self._metrics = metrics
        token = config.token.get_secret_value() if config.token is not None else None
        if token:
            register_secret(token)
        # the requests carry the longest of the contract's timeouts; each call is awaited with its own
        longest = max(node_contract(NODE).io_timeouts.values())
        self._client = consul.Consul(
            host=config.host,
            port=config.port,
            scheme=config.scheme,
            dc=config.datacenter,
            verify=True,
            connections_timeout=longest,
        )
        # py-consul prefers CONSUL_HTTP_TOKEN from the environment over the token it is given: the
        # connection's token (or none: anonymous) is the only identity this client may use
        self._client.token = token
        session = self._client.http.session
        if isinstance(session, requests.Session):
            pool = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=max_concurrency)
            session.mount("http://", pool)
            session.mount("https://", pool)
            self._session: requests.Session | None = session
        else:
            self._session = None
        self._executor = ThreadPoolExecutor(max_workers=max_concurrency, thread_name_prefix="consul")
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self._reads = Batcher[_Read, ModelConsulServiceObservation | None](self._read_batch)

    @property
    def config(self) -> ModelConsulClientConfig:
        return self._config

    @property
    def target(self) -> str:
        return self._config.target

    def close(self) -> None:
        """Stop the thread pool and the HTTP connections (a replaced client). Queued calls still
        run (or fail as taxonomy errors): a cancelled future would cancel the reconcile awaiting it,
        and a cancelled drift check is never rescheduled."""
        self._executor.shutdown(wait=False, cancel_futures=False)
        if self._session is not None:
            self._session.close()

    # -- operations ----------------------------------------------------------------------------

    async def read(self, service_id: str, correlation_id: UUID) -> ModelConsulServiceObservation | None:
        """The registration of `service_id` on the agent with its checks, None when there is none."""
        return await self._reads.submit(_Read(service_id, correlation_id))

    async def register(self, registration: ModelConsulRegistration, correlation_id: UUID) -> None:
        """Register (or replace) the service and exactly its checks: checks of the service that the
        registration does not name are removed (replace-existing-checks)."""
        checks = [check.payload() for check in registration.checks]

        def call() -> object:
            return self._client.agent.service.register(
                registration.name,
                service_id=registration.service_id,
                address=registration.address or None,
                port=registration.port,
                tags=list(registration.tags) or None,
                meta=dict(registration.meta),
                check=checks[0] if checks else None,
                extra_checks=checks[1:],
                replace_existing_checks=True,
            )

        await self._call("register_service", registration.service_id, correlation_id, call)

    async def deregister(self, service_id: str, correlation_id: UUID) -> None:
        """Deregister the service and its checks; a service already gone counts as deregistered."""

        def call() -> object:
            return self._client.agent.service.deregister(service_id)

        await self._call("deregister_service", service_id, correlation_id, call)

    # -- the batched read ------------------------------------------------------------------------

    async def _read_batch(
        self, items: Sequence[_Read]
    ) -> list[ModelConsulServiceObservation | BaseException | None]:
        operations = ("read_services", "read_checks")

        def services() -> object:
            return self._client.agent.services()

        def checks() -> object:
            return self._client.agent.checks()

        services_read, checks_read = await asyncio.gather(
            self._in_thread("read_services", services),
            self._in_thread("read_checks", checks),
            return_exceptions=True,
        )
        for operation, result in zip(operations, (services_read, checks_read), strict=True):
            if isinstance(result, Exception):
                # every request of the batch fails alike, each with its own correlation id
                return [self._failed(result, operation, item) for item in items]
            if isinstance(result, BaseException):
                raise result
        observed = observations_of(services_read, checks_read)
        self._report_checks(observed)
        return [observed.get(item.service_id) for item in items]

    def _failed(self, error: Exception, operation: str, item: _Read) -> BaseException:
        translated = translate(
            error,
            operation=operation,
            target=self._target(item.service_id),
            correlation_id=item.correlation_id,
        )
        translated.__cause__ = error
        return translated

    def _report_checks(self, observed: Mapping[str, ModelConsulServiceObservation]) -> None:
        counts: Counter[str] = Counter({status.value: 0 for status in EnumConsulCheckStatus})
        for service in observed.values():
            if is_managed(service.meta):
                counts.update(check.status.value for check in service.checks)
        self._metrics.set_consul_checks(self.target, counts)

    # -- plumbing --------------------------------------------------------------------------------

    async def _call(self, operation: str, subject: str, correlation_id: UUID, call: Callable[[], T]) -> T:
        try:
            return await self._in_thread(operation, call)
        except Exception as error:
            raise translate(
                error, operation=operation, target=self._target(subject), correlation_id=correlation_id
            ) from error

    async def _in_thread(self, operation: str, call: Callable[[], T]) -> T:
        """`call` in the pool, awaited with the operation's contract timeout (TimeoutError past it)."""
        timeout = operation_timeout(NODE, operation)
        async with self._semaphore:
            self._metrics.count_admin_request("consul", operation)
            future = asyncio.get_running_loop().run_in_executor(self._executor, call)
            return await asyncio.wait_for(future, timeout + _AWAIT_MARGIN_SECONDS)

    def _target(self, subject: str) -> str:
        return f"{self.target}/{subject}"


def observations_of(services: object, checks: object) -> dict[str, ModelConsulServiceObservation]:
    """The agent's services and checks (JSON, as py-consul returns them) -> one observation per
    service id."""
    by_service: dict[str, list[ModelConsulCheckObservation]] = {}
    for raw in _mapping(checks).values():
        check = _mapping(raw)
        service_id = str(check.get("ServiceID") or "")
        if not service_id:
            continue  # a node check
        by_service.setdefault(service_id, []).append(
            ModelConsulCheckObservation(
                check_id=str(check.get("CheckID") or ""),
                name=str(check.get("Name") or ""),
                kind=str(check.get("Type") or ""),
                status=_status(check.get("Status")),
                interval=str(check.get("Interval") or ""),
                timeout=str(check.get("Timeout") or ""),
                notes=str(check.get("Notes") or ""),
            )
        )
    observed: dict[str, ModelConsulServiceObservation] = {}
    for service_id, raw in _mapping(services).items():
        service = _mapping(raw)
        tags = service.get("Tags")
        port = service.get("Port")
        observed[service_id] = ModelConsulServiceObservation(
            service_id=service_id,
            name=str(service.get("Service") or ""),
            address=str(service.get("Address") or ""),
            port=port if isinstance(port, int) and not isinstance(port, bool) else 0,
            tags=tuple(str(tag) for tag in tags) if isinstance(tags, list) else (),
            meta={key: str(value) for key, value in _mapping(service.get("Meta")).items()},
            checks=tuple(sorted(by_service.get(service_id, []), key=lambda check: check.name)),
        )
    return observed


def _status(value: object) -> EnumConsulCheckStatus:
    try:
        return EnumConsulCheckStatus(str(value))
    except ValueError:
        return EnumConsulCheckStatus.CRITICAL  # an unknown state is not healthy


def _mapping(value: object) -> dict[str, object]:
    if not isinstance(value, dict):
        return {}
    return {str(key): item for key, item in value.items()}
