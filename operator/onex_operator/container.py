"""ONEXContainer: the one place that builds clients, registries and settings. Nodes receive what
they need from it; nothing builds its own clients in the middle of logic."""

from __future__ import annotations

import asyncio
from collections import defaultdict

from onex_operator.kube.api import KubeApi, make_api_client
from onex_operator.nodes.kafka_adapter.admin import KafkaTopicAdmin
from onex_operator.nodes.kafka_adapter.claims import claim_key
from onex_operator.nodes.kafka_adapter.model_kafka_client_config import ModelKafkaClientConfig
from onex_operator.runtime.health import HealthRegistry
from onex_operator.runtime.metrics import OperatorMetrics
from onex_operator.runtime.resource_index import ResourceIndex
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
        self.kafka_topics = ResourceIndex(claim_key)
        self.statuses = StatusStore(self.kube)
        self._kafka_admins: dict[str, KafkaTopicAdmin] = {}
        self.kafka_connections: TtlCache[tuple[str, ModelKafkaClientConfig]] = TtlCache(
            CONNECTION_CACHE_SECONDS
        )
        # one reconcile at a time per resource: watch events, retries and sweeps may meet
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    def kafka_admin(self, connection: str, config: ModelKafkaClientConfig) -> KafkaTopicAdmin:
        """One admin client (and one set of batchers) per connection. When a connection's settings
        change (a rotated password, say) the old client is dropped, so it stops logging in."""
        admin = self._kafka_admins.get(connection)
        if admin is None or admin.config != config:
            admin = KafkaTopicAdmin(config, self.metrics)
            self._kafka_admins[connection] = admin
        return admin

    def lock(self, uid: str) -> asyncio.Lock:
        return self._locks[uid]

    def forget(self, uid: str) -> None:
        self._locks.pop(uid, None)
        self.statuses.forget(uid)
