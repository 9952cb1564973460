"""Connections and credentials in use cannot vanish first (Crossplane's ProviderConfigUsage).

While any managed resource names a connection, the connection carries the finalizer
`infra.onex.dev/in-use`, and so do the credential Secrets it reads in each namespace where it is
used: a resource's deletion, which needs both to reach its service, always finds them. Deleting a
namespace then tears down in order with no user action: the resources (each by its policy), then
the connection, then the credentials. The connection's status says how many resources use it, and
while it is Terminating, which ones it waits for.

Everything here is driven by watch events; one sync at a time compares what should carry the
finalizer with what does, and patches only the difference.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol
from uuid import uuid4

from onex_operator.errors import RuntimeHostError
from onex_operator.kube.api import FinalizerTarget, JsonObject, KubeApi
from onex_operator.nodes.connection_resolver.keys import CLUSTER_INFRA_CONNECTION, INFRA_CONNECTION, key_of

IN_USE_FINALIZER = "infra.onex.dev/in-use"
PLURALS = {INFRA_CONNECTION: "infraconnections", CLUSTER_INFRA_CONNECTION: "clusterinfraconnections"}
_NAMES_SHOWN = 10
_RETRY_SECONDS = 2.0
_log = logging.getLogger("onex.usage")


@dataclass(frozen=True)
class ConnectionUser:
    connection: str  # the connection key (nodes/connection_resolver/keys.py)
    namespace: str  # where the user lives: its connection's Secrets are read there
    label: str  # "KafkaTopic ns/name"


class ProtocolUsers(Protocol):
    def connection_users(self) -> list[ConnectionUser]: ...


@dataclass(frozen=True)
class _Connection:
    target: FinalizerTarget
    protected: bool  # carries our finalizer
    deleting: bool
    secret_names: frozenset[str]


class ConnectionUsage:
    def __init__(self, kube: KubeApi) -> None:
        self._kube = kube
        self._kinds: Sequence[ProtocolUsers] = ()
        self._connections: dict[str, _Connection] = {}
        self._protected_secrets: set[tuple[str, str]] = set()
        # what each connection's status says now: (status, reason, message, lastTransitionTime)
        self._reported: dict[str, tuple[str, str, str, str]] = {}
        self._dirty = asyncio.Event()

    def watch(self, kinds: Sequence[ProtocolUsers]) -> None:
        self._kinds = kinds

    def changed(self) -> None:
        self._dirty.set()

    def connection_event(self, kind: str, event: str | None, body: Mapping[str, object]) -> None:
        metadata = body.get("metadata")
        metadata = metadata if isinstance(metadata, Mapping) else {}
        namespace = None if kind == CLUSTER_INFRA_CONNECTION else str(metadata.get("namespace", ""))
        name = str(metadata.get("name", ""))
        key = key_of(kind, namespace, name)
        if event == "DELETED":
            self._connections.pop(key, None)
            self._reported.pop(key, None)
        else:
            self._connections[key] = _Connection(
                target=FinalizerTarget(PLURALS[kind], namespace, name),
                protected=IN_USE_FINALIZER in (metadata.get("finalizers") or []),
                deleting=bool(metadata.get("deletionTimestamp")),
                secret_names=frozenset(_secret_names(body.get("spec"))),
            )
        self._dirty.set()

    def secret_event(self, event: str | None, body: Mapping[str, object]) -> None:
        metadata = body.get("metadata")
        metadata = metadata if isinstance(metadata, Mapping) else {}
        key = (str(metadata.get("namespace", "")), str(metadata.get("name", "")))
        protected = event != "DELETED" and IN_USE_FINALIZER in (metadata.get("finalizers") or [])
        if protected != (key in self._protected_secrets):
            (self._protected_secrets.add if protected else self._protected_secrets.discard)(key)
            self._dirty.set()

    def forget_namespace(self, namespace: str) -> None:
        """A namespace is gone: what this tracker knew of its connections and Secrets goes too."""
        for key, connection in list(self._connections.items()):
            if connection.target.namespace == namespace:
                del self._connections[key]
                self._reported.pop(key, None)
        self._protected_secrets = {secret for secret in self._protected_secrets if secret[0] != namespace}

    async def run(self) -> None:
        while True:
            await self._dirty.wait()
            self._dirty.clear()
            await asyncio.sleep(0.2)  # one sync for a burst of events
            try:
                await self._sync()
            except RuntimeHostError as error:
                _log.warning("connection usage not synced yet (retried): %s", error.message)
                await asyncio.sleep(_RETRY_SECONDS)
                self._dirty.set()

    async def _sync(self) -> None:
        correlation_id = uuid4()
        users: defaultdict[str, list[ConnectionUser]] = defaultdict(list)
        for kind in self._kinds:
            for user in kind.connection_users():
                users[user.connection].append(user)
        wanted_secrets: set[tuple[str, str]] = set()
        for key, connection in list(self._connections.items()):
            using = users.get(key, [])
            wanted_secrets |= {(user.namespace, name) for user in using for name in connection.secret_names}
            if bool(using) != connection.protected and await self._kube.set_finalizer(
                connection.target, IN_USE_FINALIZER, bool(using), correlation_id
            ):
                verb = "protected while in use" if using else "released, no resource uses it"
                _log.info("%s %s: %s", correlation_id, _label(connection.target), verb)
            await self._report(key, connection, using)
        for namespace, name in sorted(wanted_secrets ^ self._protected_secrets):
            wanted = (namespace, name) in wanted_secrets
            target = FinalizerTarget("secrets", namespace, name)
            if await self._kube.set_finalizer(target, IN_USE_FINALIZER, wanted, correlation_id):
                verb = "protected: a connection in use reads it" if wanted else "released"
                _log.info("%s Secret %s/%s: %s", correlation_id, namespace, name, verb)

    async def _report(self, key: str, connection: _Connection, using: list[ConnectionUser]) -> None:
        """status.usedBy and an InUse condition; written only when they change."""
        names = sorted(user.label for user in using)
        shown = ", ".join(names[:_NAMES_SHOWN]) + (
            f" and {len(names) - _NAMES_SHOWN} more" if len(names) > _NAMES_SHOWN else ""
        )
        if using and connection.deleting:
            reason, message = "WaitingForUsers", f"deletion waits until these resources are gone: {shown}"
        elif using:
            reason, message = "InUse", f"used by {len(names)} resource(s): {shown}"
        else:
            reason, message = "Unused", "no managed resource uses this connection"
        state = "True" if using else "False"
        previous = self._reported.get(key)
        if previous is not None and previous[:3] == (state, reason, message):
            return
        since = (
            previous[3] if previous is not None and previous[0] == state else datetime.now(UTC).isoformat()
        )
        condition: JsonObject = {
            "type": "InUse",
            "status": state,
            "reason": reason,
            "message": message,
            "lastTransitionTime": since,
        }
        status: JsonObject = {"usedBy": len(names), "conditions": [condition]}
        target = connection.target
        if target.namespace is None:
            await self._kube.patch_cluster_status(target.plural, target.name, status, uuid4())
        else:
            await self._kube.patch_status(target.plural, target.namespace, target.name, status, uuid4())
        self._reported[key] = (state, reason, message, since)


def _secret_names(spec: object) -> set[str]:
    """Every Secret a connection's spec names (`...SecretRef` / `secretRef`, any transport)."""
    names: set[str] = set()
    if isinstance(spec, Mapping):
        for key, value in spec.items():
            if str(key).lower().endswith("secretref") and isinstance(value, Mapping) and value.get("name"):
                names.add(str(value["name"]))
            else:
                names |= _secret_names(value)
    elif isinstance(spec, list):
        for item in spec:
            names |= _secret_names(item)
    return names


def _label(target: FinalizerTarget) -> str:
    kind = INFRA_CONNECTION if target.plural == PLURALS[INFRA_CONNECTION] else CLUSTER_INFRA_CONNECTION
    return f"{kind} {target.namespace}/{target.name}" if target.namespace else f"{kind} {target.name}"
