"""The operator's key for the keyed hashes in status (VaultSecret's dataHash).

Kept in a Secret in the operator's own namespace, created with a random key the first time, so
every replica and every restart hashes alike (a new key would change every dataHash at once).
"""

from __future__ import annotations

import asyncio
import base64
import secrets
from uuid import UUID

from onex_operator.errors import ModelInfraErrorContext, ProtocolConfigurationError, register_secret
from onex_operator.kube.api import KubeApi
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType

KEY_FIELD = "key"
_KEY_BYTES = 32


class HashKeySource:
    def __init__(self, kube: KubeApi, namespace: str, secret_name: str) -> None:
        self._kube = kube
        self._namespace = namespace
        self._name = secret_name
        self._key: bytes | None = None
        self._lock = asyncio.Lock()

    async def key(self, correlation_id: UUID) -> bytes:
        if self._key is not None:
            return self._key
        async with self._lock:
            if self._key is None:
                self._key = await self._load_or_create(correlation_id)
            return self._key

    async def _load_or_create(self, correlation_id: UUID) -> bytes:
        for _ in range(2):  # a replica may create it between our read and our create
            existing = await self._kube.read_secret(self._namespace, self._name, correlation_id)
            if existing is not None and existing.data.get(KEY_FIELD):
                key = base64.b64decode(existing.data[KEY_FIELD])
                register_secret(base64.b64encode(key).decode())
                return key
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
