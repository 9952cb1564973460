"""The KV API of one Vault/OpenBao connection, asynchronous.

hvac (over requests) blocks, so every HTTP call runs in this client's own bounded thread pool and is
awaited with the contract's timeout; an `asyncio.Semaphore` bounds the calls in flight. The requests
themselves carry the same timeout, so a thread given up on is freed soon after.

Login is lazy: a token is used as given; AppRole and Kubernetes log in on first use, again shortly
before the login token's lease ends, and once more when a 403 turns out to be caused by the token
itself (its lookup-self is refused too) rather than by a policy.

Every value read from Vault, and every login token, is registered with the sanitizer when read,
except a value the caller names public: a literal of the spec, which the custom resource holds in
clear text. Registering those would only blind the messages (a literal "1" would remove the last
digit of 127.0.0.1 from every message of the process).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Literal, Protocol, TypeVar
from uuid import UUID

import hvac
import requests
from hvac import utils as hvac_utils

from onex_operator.errors import (
    InfraAuthenticationError,
    InfraResourceUnavailableError,
    ProtocolConfigurationError,
    RuntimeHostError,
    register_secret,
)
from onex_operator.nodes.contract_io import operation_timeout
from onex_operator.nodes.vault_adapter.errors import LOGIN_OPERATION, translate, vault_context
from onex_operator.nodes.vault_adapter.model_vault_client_config import (
    ModelVaultAppRoleLogin,
    ModelVaultClientConfig,
    ModelVaultKubernetesLogin,
    ModelVaultTokenLogin,
)
from onex_operator.nodes.vault_adapter.model_vault_mount import ModelVaultMount
from onex_operator.nodes.vault_adapter.model_vault_observation import ModelVaultObservation
from onex_operator.nodes.vault_adapter.model_vault_seal_status import ModelVaultSealStatus

NODE = "vault_adapter"
DEFAULT_MAX_CONCURRENCY = 16
# a thread is given up on a little after the request's own timeout should have ended it
_AWAIT_MARGIN_SECONDS = 1.0
# log in again this long before the login token's lease ends
_RENEW_BEFORE_FRACTION = 0.1
_MOUNT_CACHE_SECONDS = 300.0
_KV_ENGINE_TYPES = {"kv", "generic"}
_log = logging.getLogger("onex.vault")

T = TypeVar("T")
KvVersion = Literal[1, 2]


class ProtocolVaultRequestCounter(Protocol):
    """Counts the requests made to a transport (the hub's metrics); same shape as Kafka's."""

    def count_admin_request(self, transport: str, operation: str) -> None: ...


class _Answer:
    """A finished HTTP exchange: status and JSON body (an empty dict when there is none)."""

    def __init__(self, status: int, body: dict[str, object]) -> None:
        self.status = status
        self.body = body


class VaultKv:
    """One per connection (address, namespace and identity); share it between reconciles."""

    def __init__(
        self,
        config: ModelVaultClientConfig,
        *,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        counter: ProtocolVaultRequestCounter | None = None,
    ) -> None:
        self._config = config
        self._counter = counter
        auth = config.auth
        for credential in _credentials(auth):
            register_secret(credential)
        session = requests.Session()
        pool = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=max_concurrency)
        session.mount("http://", pool)
        session.mount("https://", pool)
        # token="" (not None): hvac would otherwise pick up VAULT_TOKEN or ~/.vault-token
        self._client = hvac.Client(
            url=config.target,
            token=auth.token.get_secret_value() if isinstance(auth, ModelVaultTokenLogin) else "",
            namespace=config.vault_namespace,
            session=session,
            verify=True,
            adapter=hvac.adapters.RawAdapter,
        )
        self._session = session
        self._executor = ThreadPoolExecutor(max_workers=max_concurrency, thread_name_prefix="vault")
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self._login_lock = asyncio.Lock()
        # a token is usable as given; AppRole and Kubernetes first log in
        self._logged_in = isinstance(auth, ModelVaultTokenLogin)
        self._generation = 0  # bumped by every login, so concurrent 403s cause one new login
        self._renew_at: float | None = None
        self._mounts: dict[str, tuple[float, ModelVaultMount]] = {}

    @property
    def config(self) -> ModelVaultClientConfig:
        return self._config

    @property
    def target(self) -> str:
        return self._config.target

    def close(self) -> None:
        """Stop the thread pool and the HTTP connections (a replaced client)."""
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._session.close()

    # -- KV operations --------------------------------------------------------------------------

    async def read(
        self,
        mount: str,
        path: str,
        kv_version: KvVersion,
        correlation_id: UUID,
        *,
        public: Mapping[str, str] | None = None,
    ) -> ModelVaultObservation | None:
        """The secret at `mount`/`path`, or None when nothing is there (KV v2: no metadata either).

        Every value is registered with the sanitizer, but a key's value equal to `public[key]`.

        KV v2 costs one request when the current version is readable (its answer carries the
        custom_metadata too), and a second one (the metadata) when it is not.
        """
        await self._kv_mount(mount, kv_version, path, correlation_id)
        target = self._target(mount, path)
        if kv_version == 1:
            answer = await self._authorized(
                "read_secret", target, correlation_id, "GET", f"/v1/{mount}/{path}", missing_ok=True
            )
            if answer.status == 404:
                return None
            data = _values(answer.body.get("data"), public)
            return ModelVaultObservation(mount=mount, path=path, kv_version=1, data=data)
        answer = await self._authorized(
            "read_secret", target, correlation_id, "GET", f"/v1/{mount}/data/{path}", missing_ok=True
        )
        body = _mapping(answer.body.get("data"))
        metadata = _mapping(body.get("metadata"))
        if answer.status != 404 and "custom_metadata" in metadata:
            return _v2_observation(mount, path, body, metadata, public)
        if answer.status == 404 and metadata and "custom_metadata" in metadata:
            # the current version is deleted or destroyed: its metadata came with the 404
            return _v2_observation(mount, path, {}, metadata, public)
        # no version (metadata only, or nothing), or a server that leaves custom_metadata out
        meta_answer = await self._authorized(
            "read_metadata", target, correlation_id, "GET", f"/v1/{mount}/metadata/{path}", missing_ok=True
        )
        if meta_answer.status == 404:
            return None
        full = _mapping(meta_answer.body.get("data"))
        current = _integer(full.get("current_version"))
        versions = _mapping(full.get("versions"))
        current_meta = _mapping(versions.get(str(current)))
        merged: dict[str, object] = {
            "version": current,
            "custom_metadata": full.get("custom_metadata"),
            "deletion_time": current_meta.get("deletion_time", ""),
            "destroyed": current_meta.get("destroyed", False),
        }
        return _v2_observation(mount, path, body if answer.status != 404 else {}, merged, public)

    async def write(
        self,
        mount: str,
        path: str,
        data: Mapping[str, str],
        kv_version: KvVersion,
        correlation_id: UUID,
        *,
        cas: int | None = None,
        public: Mapping[str, str] | None = None,
    ) -> int | None:
        """Write `data` as the secret's whole content; the new version (KV v2) or None (KV v1).

        `cas` (KV v2): write only if the current version is still `cas` (0: only if none exists);
        otherwise InfraResourceUnavailableError (the secret changed concurrently; retry).
        """
        for key, value in data.items():
            if not _is_public(public, key, value):
                register_secret(value)  # known already, but no value may leave unregistered
        await self._kv_mount(mount, kv_version, path, correlation_id)
        target = self._target(mount, path)
        if kv_version == 1:
            await self._authorized(
                "write_secret", target, correlation_id, "POST", f"/v1/{mount}/{path}", payload=dict(data)
            )
            return None
        payload: dict[str, object] = {"data": dict(data)}
        if cas is not None:
            payload["options"] = {"cas": cas}
        answer = await self._authorized(
            "write_secret", target, correlation_id, "POST", f"/v1/{mount}/data/{path}", payload=payload
        )
        version = _integer(_mapping(answer.body.get("data")).get("version"))
        if version <= 0:
            raise InfraResourceUnavailableError(
                "Vault answered write_secret without a version",
                context=vault_context("write_secret", target, correlation_id),
            )
        return version

    async def write_custom_metadata(
        self, mount: str, path: str, custom_metadata: Mapping[str, str], correlation_id: UUID
    ) -> None:
        """Replace the KV v2 custom_metadata of the secret (creates the metadata when absent)."""
        await self._kv_mount(mount, 2, path, correlation_id)
        await self._authorized(
            "write_metadata",
            self._target(mount, path),
            correlation_id,
            "POST",
            f"/v1/{mount}/metadata/{path}",
            payload={"custom_metadata": dict(custom_metadata)},
        )

    async def delete_everything(
        self, mount: str, path: str, kv_version: KvVersion, correlation_id: UUID
    ) -> None:
        """KV v2: delete the metadata and every version; KV v1: delete the secret. Absent is fine."""
        await self._kv_mount(mount, kv_version, path, correlation_id)
        url = f"/v1/{mount}/metadata/{path}" if kv_version == 2 else f"/v1/{mount}/{path}"
        await self._authorized(
            "delete_secret", self._target(mount, path), correlation_id, "DELETE", url, missing_ok=True
        )

    # -- health ---------------------------------------------------------------------------------

    async def seal_status(self, correlation_id: UUID) -> ModelVaultSealStatus:
        """Initialized and unsealed? Needs no login (for the hub and the connection's status)."""
        answer = await self._call(
            "seal_status", f"{self.target}/sys/seal-status", correlation_id, "GET", "/v1/sys/seal-status"
        )
        body = answer.body
        return ModelVaultSealStatus(
            initialized=body.get("initialized") is True,
            sealed=body.get("sealed") is not False,
            version=str(body.get("version") or ""),
            progress=_integer(body.get("progress")),
            threshold=_integer(body.get("t")),
        )

    async def verify_login(self, correlation_id: UUID) -> None:
        """Log in when needed and look the token up: raises the taxonomy error a KV call would meet
        for the credentials (bad token, failed login, sealed, unreachable)."""
        await self._authorized(
            LOGIN_OPERATION, self._login_target(), correlation_id, "GET", "/v1/auth/token/lookup-self"
        )

    # -- login ----------------------------------------------------------------------------------

    async def _ensure_login(self, correlation_id: UUID) -> None:
        renew_due = self._renew_at is not None and time.monotonic() >= self._renew_at
        if not self._logged_in or renew_due:
            await self._login(correlation_id, seen_generation=self._generation)

    async def _login(self, correlation_id: UUID, seen_generation: int) -> None:
        auth = self._config.auth
        if isinstance(auth, ModelVaultTokenLogin):
            return
        async with self._login_lock:
            renew_due = self._renew_at is not None and time.monotonic() >= self._renew_at
            if self._logged_in and self._generation != seen_generation and not renew_due:
                return  # another reconcile logged in meanwhile
            if isinstance(auth, ModelVaultAppRoleLogin):
                mount_path = auth.mount_path
                payload: dict[str, object] = {
                    "role_id": auth.role_id,
                    "secret_id": auth.secret_id.get_secret_value(),
                }
            else:
                mount_path = auth.mount_path
                payload = {"role": auth.role, "jwt": auth.jwt.get_secret_value()}
            answer = await self._call(
                LOGIN_OPERATION,
                self._login_target(),
                correlation_id,
                "POST",
                f"/v1/auth/{mount_path.strip('/')}/login",
                payload=payload,
            )
            login = _mapping(answer.body.get("auth"))
            token = login.get("client_token")
            if not isinstance(token, str) or not token:
                raise InfraAuthenticationError(
                    "Vault login answered without a client token",
                    context=vault_context(LOGIN_OPERATION, self._login_target(), correlation_id),
                )
            register_secret(token)
            self._client.token = token
            lease = _integer(login.get("lease_duration"))
            self._renew_at = time.monotonic() + lease * (1 - _RENEW_BEFORE_FRACTION) if lease > 0 else None
            self._logged_in = True
            self._generation += 1
            _log.info("Vault %s: logged in (%s)", self.target, auth.method.value)

    async def _token_refused(self, generation: int, correlation_id: UUID) -> bool:
        """After a 403: is the login token itself refused (expired, revoked), not just a policy?"""
        if self._generation != generation:
            return True  # somebody logged in again since: retry with the new token
        try:
            await self._call(
                LOGIN_OPERATION, self._login_target(), correlation_id, "GET", "/v1/auth/token/lookup-self"
            )
        except InfraAuthenticationError:
            return True
        except RuntimeHostError:
            return False
        return False

    # -- plumbing -------------------------------------------------------------------------------

    async def _kv_mount(self, mount: str, kv_version: KvVersion, path: str, correlation_id: UUID) -> None:
        """Refuse, before any KV call, a mount that is not a KV engine of the requested version: a
        v2 request on a v1 mount would otherwise write a secret named `data/<path>`."""
        cached = self._mounts.get(mount)
        if cached is not None and time.monotonic() - cached[0] < _MOUNT_CACHE_SECONDS:
            found = cached[1]
        else:
            found = await self._read_mount(mount, correlation_id)
            self._mounts[mount] = (time.monotonic(), found)
        context = vault_context("read_mount", self._target(mount, path), correlation_id)
        if found.path != mount:
            self._mounts.pop(mount, None)
            raise ProtocolConfigurationError(
                f"no secrets engine is mounted at {mount!r} (the path belongs to the mount {found.path!r})",
                context=context,
            )
        if found.engine_type not in _KV_ENGINE_TYPES:
            raise ProtocolConfigurationError(
                f"the secrets engine at {mount!r} is {found.engine_type!r}, not KV", context=context
            )
        if found.kv_version != kv_version:
            raise ProtocolConfigurationError(
                f"the KV engine at {mount!r} is version {found.kv_version}, the spec asks for kvVersion "
                f"{kv_version}",
                context=context,
            )

    async def _read_mount(self, mount: str, correlation_id: UUID) -> ModelVaultMount:
        target = f"{self.target}/{mount}"
        try:
            answer = await self._authorized(
                "read_mount", target, correlation_id, "GET", f"/v1/sys/internal/ui/mounts/{mount}"
            )
        except InfraAuthenticationError as error:
            raise InfraAuthenticationError(
                f"no secrets engine at {mount!r} that this identity may use (none is mounted there, or "
                f"no policy grants access under it): {error.message}",
                context=error.context,
            ) from error
        data = _mapping(answer.body.get("data"))
        options = _mapping(data.get("options"))
        engine_type = str(data.get("type") or "")
        version_text = str(options.get("version") or "1")
        kv_version = int(version_text) if version_text.isdigit() else None
        return ModelVaultMount(
            path=str(data.get("path") or "").strip("/"),
            engine_type=engine_type,
            kv_version=kv_version if engine_type in _KV_ENGINE_TYPES else None,
        )

    async def _authorized(
        self,
        operation: str,
        target: str,
        correlation_id: UUID,
        method: str,
        url: str,
        *,
        payload: Mapping[str, object] | None = None,
        missing_ok: bool = False,
    ) -> _Answer:
        """A call that needs the login token; re-logs in once when the token itself is refused."""
        await self._ensure_login(correlation_id)
        generation = self._generation
        try:
            return await self._call(
                operation, target, correlation_id, method, url, payload=payload, missing_ok=missing_ok
            )
        except InfraAuthenticationError:
            if isinstance(self._config.auth, ModelVaultTokenLogin):
                raise
            if not await self._token_refused(generation, correlation_id):
                raise
        _log.info("Vault %s: the login token was refused; logging in again", self.target)
        await self._login(correlation_id, seen_generation=generation)
        return await self._call(
            operation, target, correlation_id, method, url, payload=payload, missing_ok=missing_ok
        )

    async def _call(
        self,
        operation: str,
        target: str,
        correlation_id: UUID,
        method: str,
        url: str,
        *,
        payload: Mapping[str, object] | None = None,
        missing_ok: bool = False,
    ) -> _Answer:
        timeout = operation_timeout(NODE, operation)

        def exchange() -> _Answer:
            return self._exchange(method, url, timeout, payload, missing_ok=missing_ok)

        return await self._in_thread(operation, target, correlation_id, timeout, exchange)

    async def _in_thread(
        self, operation: str, target: str, correlation_id: UUID, timeout: float, call: Callable[[], T]
    ) -> T:
        async with self._semaphore:
            if self._counter is not None:
                self._counter.count_admin_request("vault", operation)
            future = asyncio.get_running_loop().run_in_executor(self._executor, call)
            try:
                return await asyncio.wait_for(future, timeout + _AWAIT_MARGIN_SECONDS)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                raise translate(
                    error, operation=operation, target=target, correlation_id=correlation_id
                ) from error

    def _exchange(
        self,
        method: str,
        url: str,
        timeout: float,
        payload: Mapping[str, object] | None,
        *,
        missing_ok: bool,
    ) -> _Answer:
        """One HTTP request through hvac's adapter (runs in a pool thread). A login sends the old
        token along, which Vault ignores on login endpoints."""
        adapter = self._client.adapter
        kwargs: dict[str, object] = {"timeout": timeout}
        if payload is not None:
            kwargs["json"] = dict(payload)
        response = adapter.request(method, url, raise_exception=False, **kwargs)
        if not isinstance(response, requests.Response):
            raise TypeError(f"unexpected answer of type {type(response).__name__}")
        body = _json_body(response)
        if response.ok or (missing_ok and response.status_code == 404):
            return _Answer(response.status_code, body)
        errors = body.get("errors")
        hvac_utils.raise_for_error(
            method,
            url,
            response.status_code,
            None if isinstance(errors, list) and errors else response.text[:512],
            errors=errors if isinstance(errors, list) and errors else None,
            text=response.text[:512],
            json=body,
        )
        raise AssertionError("unreachable: raise_for_error always raises")  # pragma: no cover

    def _target(self, mount: str, path: str) -> str:
        return f"{self.target}/{mount}/{path}"

    def _login_target(self) -> str:
        auth = self._config.auth
        if isinstance(auth, ModelVaultTokenLogin):
            return f"{self.target}/auth/token"
        return f"{self.target}/auth/{auth.mount_path.strip('/')}"


def _credentials(
    auth: ModelVaultTokenLogin | ModelVaultAppRoleLogin | ModelVaultKubernetesLogin,
) -> list[str]:
    if isinstance(auth, ModelVaultTokenLogin):
        return [auth.token.get_secret_value()]
    if isinstance(auth, ModelVaultAppRoleLogin):
        return [auth.secret_id.get_secret_value()]
    return [auth.jwt.get_secret_value()]


def _json_body(response: requests.Response) -> dict[str, object]:
    if not response.content:
        return {}
    try:
        parsed: object = response.json()
    except ValueError:
        return {}
    return _mapping(parsed)


def _mapping(value: object) -> dict[str, object]:
    if not isinstance(value, dict):
        return {}
    return {str(key): item for key, item in value.items()}


def _integer(value: object) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return 0


def _is_public(public: Mapping[str, str] | None, key: str, value: str) -> bool:
    return public is not None and public.get(key) == value


def _values(raw: object, public: Mapping[str, str] | None = None) -> dict[str, str]:
    """Key/value pairs as strings (other JSON values as their JSON text); each value is registered
    with the sanitizer here, the moment it is read, unless it is the key's public value."""
    values: dict[str, str] = {}
    for key, value in _mapping(raw).items():
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, separators=(",", ":"))
        if not _is_public(public, key, text):
            register_secret(text)
        values[key] = text
    return values


def _string_map(raw: object) -> dict[str, str]:
    return {key: str(value) for key, value in _mapping(raw).items() if value is not None}


def _v2_observation(
    mount: str,
    path: str,
    body: Mapping[str, object],
    metadata: Mapping[str, object],
    public: Mapping[str, str] | None = None,
) -> ModelVaultObservation:
    deleted = bool(metadata.get("deletion_time"))
    destroyed = metadata.get("destroyed") is True
    return ModelVaultObservation(
        mount=mount,
        path=path,
        kv_version=2,
        data={} if deleted or destroyed else _values(body.get("data"), public),
        version=_integer(metadata.get("version")),
        custom_metadata=_string_map(metadata.get("custom_metadata")),
        deleted=deleted,
        destroyed=destroyed,
    )
