"""The operator's key for the keyed hashes in status (VaultSecret's dataHash).

Kept in a Secret in the operator's own namespace, created with a random key the first time, so
every replica and every restart hashes alike (a new key would change every dataHash at once).

Read-only (`onex-infra plan`, which writes nothing and never shows a hash): the existing key when it
can be read, else a key that lives only as long as the process.
"""

from __future__ import annotations

import asyncio
import base64
import secrets
from uuid import UUID

from onex_operator.errors import (
    InfraAuthenticationError,
    ModelInfraErrorContext,
    ProtocolConfigurationError,
    register_secret,
)
from onex_operator.kube.api import KubeApi
from onex_operator.kube.model_secret_state import ModelSecretState
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType

KEY_FIELD = "key"
_KEY_BYTES = 32


class HashKeySource:
    def __init__(self, kube: KubeApi, namespace: str, secret_name: str, *, read_only: bool = False) -> None:
        self._kube = kube
        self._namespace = namespace
        self._name = secret_name
        self._read_only = read_only
        self._key: bytes | None = None
        self._lock = asyncio.Lock()

    async def key(self, correlation_id: UUID) -> bytes:
        if self._key is not None:
            return self._key
        async with self._lock:
            if self._key is None:
                load = self._existing_or_ephemeral if self._read_only else self._load_or_create
                self._key = await load(correlation_id)
            return self._key

    async def _load_or_create(self, correlation_id: UUID) -> bytes:
        for _ in range(2):  # a replica may create it between our read and our create
            existing = await self._kube.read_secret(self._namespace, self._name, correlation_id)
            if existing is not None and existing.data.get(KEY_FIELD):
                return _registered(existing)
            if existing is None:
                fresh = base64.b64encode(secrets.token_bytes(_KEY_BYTES)).decode()
                register_secret(fresh)
                created = await self._kube.create_secret_if_absent(
                    self._namespace,
                    {
                        "apiVersion": "v1",
                        "kind": "Secret",
                        "metadata": {
                            "name": self._name,
                            "labels": {"app.kubernetes.io/managed-by": "onex-infra-operator"},
                        },
                        "type": "Opaque",
                        "data": {KEY_FIELD: fresh},
                    },
                    correlation_id,
                )
                if created:
                    return base64.b64decode(fresh)
        raise ProtocolConfigurationError(
            f"Secret {self._namespace}/{self._name} (the operator's hash key) has no {KEY_FIELD!r} key; "
            "delete it and the operator creates a new one",
            context=ModelInfraErrorContext(
                transport_type=EnumInfraTransportType.HTTP,
                operation="read_hash_key",
                target_name=f"{self._namespace}/{self._name}",
                correlation_id=correlation_id,
            ),
        )

    async def _existing_or_ephemeral(self, correlation_id: UUID) -> bytes:
        try:
            existing = await self._kube.read_secret(self._namespace, self._name, correlation_id)
        except InfraAuthenticationError:
            # a plan's user may not read the operator's namespace: no reason to fail a plan that
            # never shows a hash
            existing = None
        if existing is not None and existing.data.get(KEY_FIELD):
            return _registered(existing)
        ephemeral = secrets.token_bytes(_KEY_BYTES)
        register_secret(base64.b64encode(ephemeral).decode())
        return ephemeral


def _registered(secret: ModelSecretState) -> bytes:
    key = base64.b64decode(secret.data[KEY_FIELD])
    register_secret(base64.b64encode(key).decode())
    return key
