"""ONEXContainer: the one place that builds clients, registries and settings. Nodes receive what
they need from it; nothing builds its own clients in the middle of logic."""

from __future__ import annotations

import asyncio
from collections import defaultdict

from onex_operator.kube.api import KubeApi, make_api_client
from onex_operator.nodes.consul_adapter.client import ConsulAgent
from onex_operator.nodes.consul_adapter.model_consul_client_config import ModelConsulClientConfig
from onex_operator.nodes.kafka_adapter.admin import KafkaTopicAdmin
from onex_operator.nodes.kafka_adapter.model_kafka_client_config import ModelKafkaClientConfig
from onex_operator.nodes.postgres_adapter.connection import PostgresConnection
from onex_operator.nodes.postgres_adapter.model_postgres_client_config import ModelPostgresClientConfig
from onex_operator.nodes.postgres_adapter.pools import Pool, PostgresPools
from onex_operator.nodes.vault_adapter.client import VaultKv
from onex_operator.nodes.vault_adapter.connection import VaultConnection
from onex_operator.nodes.vault_adapter.model_vault_client_config import ModelVaultClientConfig
from onex_operator.runtime.client_pool import ClientPool
from onex_operator.runtime.hash_key import HashKeySource
from onex_operator.runtime.health import HealthRegistry
from onex_operator.runtime.managed.usage import ConnectionUsage
from onex_operator.runtime.metrics import OperatorMetrics
from onex_operator.runtime.settings import ModelOperatorSettings
from onex_operator.runtime.status_store import StatusStore
from onex_operator.runtime.ttl_cache import TtlCache

CONNECTION_CACHE_SECONDS = 5.0


class ONEXContainer:
    def __init__(self, settings: ModelOperatorSettings, kube: KubeApi | None = None) -> None:
        self.settings = settings
        self.kube = kube if kube is not None else KubeApi(make_api_client())
        self.metrics = OperatorMetrics()
        self.health = HealthRegistry()
        self.statuses = StatusStore(self.kube)
        self.usage = ConnectionUsage(self.kube)
        self._kafka_admins: ClientPool[ModelKafkaClientConfig, KafkaTopicAdmin] = ClientPool(
            lambda config: KafkaTopicAdmin(config, self.metrics)
        )
        self.kafka_connections: TtlCache[tuple[str, ModelKafkaClientConfig]] = TtlCache(
            CONNECTION_CACHE_SECONDS
        )
        self._vault_clients: ClientPool[ModelVaultClientConfig, VaultKv] = ClientPool(
            lambda config: VaultKv(config, counter=self.metrics), VaultKv.close
        )
        self.vault_connections: TtlCache[VaultConnection] = TtlCache(CONNECTION_CACHE_SECONDS)
        self._consul_clients: ClientPool[ModelConsulClientConfig, ConsulAgent] = ClientPool(
            lambda config: ConsulAgent(config, self.metrics), ConsulAgent.close
        )
        self.consul_connections: TtlCache[tuple[str, ModelConsulClientConfig]] = TtlCache(
            CONNECTION_CACHE_SECONDS
        )
        self.postgres_pools = PostgresPools()
        self.postgres_connections: TtlCache[PostgresConnection] = TtlCache(CONNECTION_CACHE_SECONDS)
        self.hash_key = HashKeySource(self.kube, settings.operator_namespace, settings.hash_key_secret)
        # one reconcile at a time per resource: watch events, retries and sweeps may meet
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    def kafka_admin(self, connection: str, config: ModelKafkaClientConfig) -> KafkaTopicAdmin:
        """One admin client (and one set of batchers) per connection."""
        return self._kafka_admins.get(connection, config)

    def vault_kv(self, connection: str, config: ModelVaultClientConfig) -> VaultKv:
        """One Vault client (one login, one bounded pool) per connection."""
        return self._vault_clients.get(connection, config)

    def consul_client(self, connection: str, config: ModelConsulClientConfig) -> ConsulAgent:
        """One Consul agent client (one bounded pool, one batcher) per connection."""
        return self._consul_clients.get(connection, config)

    async def postgres_pool(self, config: ModelPostgresClientConfig) -> Pool:
        """One bounded asyncpg pool per server, database, role and sslMode, replaced when the
        password or a setting changes, closed when idle (nodes/postgres_adapter/pools.py)."""
        return await self.postgres_pools.pool(config)

    def lock(self, uid: str) -> asyncio.Lock:
        return self._locks[uid]

    def forget(self, uid: str) -> None:
        self._locks.pop(uid, None)
        self.statuses.forget(uid)
