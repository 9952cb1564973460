"""The Kafka admin API, asynchronous and batched.

confluent-kafka's AdminClient returns concurrent futures completed by librdkafka's own thread, so
awaiting them never blocks the event loop. Requests from concurrent reconciles are coalesced by
`Batcher`s: N topics cost one describe, one create and one alter call, not N of each. Each item's
outcome is its own: one failing topic never fails its neighbours.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar
from uuid import UUID

from confluent_kafka import KafkaError, KafkaException, TopicCollection
from confluent_kafka.admin import (
    AdminClient,
    AlterConfigOpType,
    ConfigEntry,
    ConfigResource,
    ConfigSource,
    NewPartitions,
    NewTopic,
)

from onex_operator.batching import Batcher
from onex_operator.errors import RuntimeHostError, sanitize
from onex_operator.nodes.contract_io import operation_timeout
from onex_operator.nodes.kafka_adapter.errors import kafka_error_of, translate
from onex_operator.nodes.kafka_adapter.model_kafka_client_config import ModelKafkaClientConfig
from onex_operator.nodes.kafka_adapter.model_topic_observation import ModelTopicObservation

NODE = "kafka_adapter"
_AUTH_FAILURE_MEMORY_SECONDS = 60.0
# Kafka answers CreateTopics before the broker's metadata cache has the topic; for this long after
# our own create, a describe that finds no such topic asks again.
_CREATE_VISIBILITY_SECONDS = 5.0
_LOG_EVERY_SECONDS = 60.0
_POLL_SECONDS = 0.5
_log = logging.getLogger("onex.kafka")

T = TypeVar("T")


class ProtocolAdminRequestCounter(Protocol):
    def count_admin_request(self, transport: str, operation: str) -> None: ...


@dataclass(frozen=True)
class _Item:
    topic: str
    correlation_id: UUID


@dataclass(frozen=True)
class _CreateItem(_Item):
    partitions: int | None
    replication_factor: int | None
    config: Mapping[str, str]


@dataclass(frozen=True)
class _AlterItem(_Item):
    set_config: Mapping[str, str]
    delete_config: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class _PartitionsItem(_Item):
    partitions: int


class KafkaTopicAdmin:
    def __init__(self, config: ModelKafkaClientConfig, counter: ProtocolAdminRequestCounter) -> None:
        self._config = config
        self._counter = counter
        self._auth_failure: tuple[float, str] | None = None
        self._brokers_down: tuple[float, str] | None = None
        self._last_logged: dict[int, float] = {}
        self._created: dict[str, float] = {}  # topic -> when this client created it (monotonic)
        # librdkafka's own log repeats every failed connection attempt; errors reach us (and the
        # log, rate-limited) through the error callback instead
        self._client = AdminClient({**config.librdkafka(), "log_level": 0}, error_cb=self._on_error)
        self._describe = Batcher[_Item, ModelTopicObservation | None](self._describe_batch)
        self._create = Batcher[_CreateItem, None](self._create_batch)
        self._alter = Batcher[_AlterItem, None](self._alter_batch)
        self._partitions = Batcher[_PartitionsItem, None](self._partitions_batch)
        self._delete = Batcher[_Item, None](self._delete_batch)

    @property
    def config(self) -> ModelKafkaClientConfig:
        return self._config

    @property
    def target(self) -> str:
        return self._config.target

    # -- public, one topic per call (batched underneath) --------------------------------------

    async def describe(self, topic: str, correlation_id: UUID) -> ModelTopicObservation | None:
        """The topic as Kafka has it, or None when it does not exist."""
        return await self._describe.submit(_Item(topic, correlation_id))

    async def create(
        self,
        topic: str,
        partitions: int | None,
        replication_factor: int | None,
        config: Mapping[str, str],
        correlation_id: UUID,
    ) -> None:
        await self._create.submit(_CreateItem(topic, correlation_id, partitions, replication_factor, config))

    async def alter_config(
        self, topic: str, set_config: Mapping[str, str], delete_config: Sequence[str], correlation_id: UUID
    ) -> None:
        await self._alter.submit(_AlterItem(topic, correlation_id, set_config, tuple(delete_config)))

    async def add_partitions(self, topic: str, partitions: int, correlation_id: UUID) -> None:
        await self._partitions.submit(_PartitionsItem(topic, correlation_id, partitions))

    async def delete(self, topic: str, correlation_id: UUID) -> None:
        """Delete the topic; a topic already gone counts as deleted."""
        await self._delete.submit(_Item(topic, correlation_id))

    # -- batches --------------------------------------------------------------------------------

    async def _describe_batch(
        self, items: Sequence[_Item]
    ) -> list[ModelTopicObservation | BaseException | None]:
        names = sorted({item.topic for item in items})
        timeout = operation_timeout(NODE, "describe_topics")
        self._counter.count_admin_request("kafka", "describe_topics")
        described = self._client.describe_topics(TopicCollection(names), request_timeout=timeout)
        topics = await self._until_created_visible(await self._settle(described, timeout), timeout)
        existing = [name for name in names if not isinstance(topics[name], BaseException)]
        configs: dict[str, object] = {}
        if existing:
            timeout = operation_timeout(NODE, "describe_configs")
            self._counter.count_admin_request("kafka", "describe_configs")
            resources = {name: ConfigResource(ConfigResource.Type.TOPIC, name) for name in existing}
            futures = self._client.describe_configs(list(resources.values()), request_timeout=timeout)
            by_resource = await self._settle(futures, timeout)
            configs = {name: by_resource[resource] for name, resource in resources.items()}
        results: list[ModelTopicObservation | BaseException | None] = []
        for item in items:
            description = topics[item.topic]
            if _is_unknown_topic(description):
                results.append(None)
            elif isinstance(description, BaseException):
                results.append(await self._translate(description, "describe_topics", item))
            elif isinstance(config := configs[item.topic], BaseException):
                results.append(await self._translate(config, "describe_configs", item))
            else:
                results.append(_observation(item.topic, description, config))
        return results

    async def _create_batch(self, items: Sequence[_CreateItem]) -> list[BaseException | None]:
        timeout = operation_timeout(NODE, "create_topics")
        self._counter.count_admin_request("kafka", "create_topics")
        new_topics = [
            NewTopic(
                item.topic,
                num_partitions=item.partitions if item.partitions is not None else -1,
                replication_factor=item.replication_factor if item.replication_factor is not None else -1,
                config=dict(item.config),
            )
            for item in _unique(items)
        ]
        futures = self._client.create_topics(new_topics, operation_timeout=timeout, request_timeout=timeout)
        settled = await self._settle(futures, timeout)
        now = time.monotonic()
        for name, outcome in settled.items():
            if not isinstance(outcome, BaseException):
                self._created[name] = now
        return [await self._outcome(settled[item.topic], "create_topics", item) for item in items]

    async def _alter_batch(self, items: Sequence[_AlterItem]) -> list[BaseException | None]:
        timeout = operation_timeout(NODE, "alter_configs")
        self._counter.count_admin_request("kafka", "alter_configs")
        resources = {
            item.topic: ConfigResource(
                ConfigResource.Type.TOPIC,
                item.topic,
                incremental_configs=[
                    *(
                        ConfigEntry(key, value, incremental_operation=AlterConfigOpType.SET)
                        for key, value in item.set_config.items()
                    ),
                    *(
                        ConfigEntry(key, None, incremental_operation=AlterConfigOpType.DELETE)
                        for key in item.delete_config
                    ),
                ],
            )
            for item in _unique(items)
        }
        futures = self._client.incremental_alter_configs(list(resources.values()), request_timeout=timeout)
        settled = await self._settle(futures, timeout)
        return [await self._outcome(settled[resources[item.topic]], "alter_configs", item) for item in items]

    async def _partitions_batch(self, items: Sequence[_PartitionsItem]) -> list[BaseException | None]:
        timeout = operation_timeout(NODE, "create_partitions")
        self._counter.count_admin_request("kafka", "create_partitions")
        requests = [NewPartitions(item.topic, item.partitions) for item in _unique(items)]
        futures = self._client.create_partitions(requests, operation_timeout=timeout, request_timeout=timeout)
        settled = await self._settle(futures, timeout)
        return [await self._outcome(settled[item.topic], "create_partitions", item) for item in items]

    async def _delete_batch(self, items: Sequence[_Item]) -> list[BaseException | None]:
        timeout = operation_timeout(NODE, "delete_topics")
        self._counter.count_admin_request("kafka", "delete_topics")
        names = sorted({item.topic for item in items})
        futures = self._client.delete_topics(names, operation_timeout=timeout, request_timeout=timeout)
        settled = await self._settle(futures, timeout)
        for name in names:
            self._created.pop(name, None)
        results: list[BaseException | None] = []
        for item in items:
            outcome = settled[item.topic]
            results.append(
                None if _is_unknown_topic(outcome) else await self._outcome(outcome, "delete_topics", item)
            )
        return results

    # -- plumbing -------------------------------------------------------------------------------

    async def _until_created_visible(self, topics: dict[str, object], timeout: float) -> dict[str, object]:
        """Describe again, briefly, the topics this client has just created that the broker still
        calls unknown: right after CreateTopics succeeds its metadata may lag, and a reconcile that
        read such a topic as missing would report Ready without the topic's id and partitions."""
        now = time.monotonic()
        self._created = {t: at for t, at in self._created.items() if now - at < _CREATE_VISIBILITY_SECONDS}
        deadline, delay = now + _CREATE_VISIBILITY_SECONDS, 0.05
        while time.monotonic() < deadline:
            lagging = sorted(t for t, o in topics.items() if t in self._created and _is_unknown_topic(o))
            if not lagging:
                break
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.5)
            self._counter.count_admin_request("kafka", "describe_topics")
            again = self._client.describe_topics(TopicCollection(lagging), request_timeout=timeout)
            topics.update(await self._settle(again, timeout))
        return topics

    async def _settle(
        self, futures: Mapping[T, concurrent.futures.Future[object]], timeout: float
    ) -> dict[T, object]:
        """Each future's result or exception. librdkafka keeps a call waiting for its whole timeout
        when no broker can be reached or the login is refused, while its error callback already
        knows; the callback is served here while we wait, so such a call fails within a second.
        A call that outlives its contract timeout (plus librdkafka's margin) fails with a timeout."""
        keys = list(futures)
        started = time.monotonic()
        gathered = asyncio.ensure_future(
            asyncio.gather(*(asyncio.wrap_future(futures[key]) for key in keys), return_exceptions=True)
        )
        deadline = started + timeout + 5
        while not gathered.done():
            await asyncio.wait({gathered}, timeout=_POLL_SECONDS)
            if gathered.done():
                break
            await asyncio.to_thread(self._client.poll, 0)
            unreachable = self._unreachable_since(started)
            if unreachable is not None or time.monotonic() > deadline:
                # librdkafka still resolves the call later; nobody waits for it any more
                gathered.add_done_callback(_discard_outcome)
                failure: BaseException = unreachable if unreachable is not None else TimeoutError()
                return dict.fromkeys(keys, failure)
        return dict(zip(keys, gathered.result(), strict=True))

    def _unreachable_since(self, started: float) -> KafkaException | None:
        """The error callback's verdict since `started`: the login refused, or every broker down."""
        for failure in (self._auth_failure, self._brokers_down):
            if failure is not None and failure[0] >= started:
                code = (
                    KafkaError._AUTHENTICATION
                    if failure is self._auth_failure
                    else KafkaError._ALL_BROKERS_DOWN
                )
                return KafkaException(KafkaError(code, failure[1]))
        return None

    async def _outcome(self, outcome: object, operation: str, item: _Item) -> BaseException | None:
        if isinstance(outcome, BaseException):
            return await self._translate(outcome, operation, item)
        return None

    async def _translate(self, error: BaseException, operation: str, item: _Item) -> RuntimeHostError:
        # the broker's refusal of our credentials arrives through the error callback, which
        # librdkafka only serves while the client is polled
        await asyncio.to_thread(self._client.poll, 0.2)
        failure = self._auth_failure
        recent = failure is not None and time.monotonic() - failure[0] < _AUTH_FAILURE_MEMORY_SECONDS
        return translate(
            error,
            operation=operation,
            target=f"{self.target}/{item.topic}",
            correlation_id=item.correlation_id,
            authentication_failure=failure[1] if recent and failure is not None else None,
        )

    def _on_error(self, error: KafkaError) -> None:
        now = time.monotonic()
        if error.code() in {KafkaError._AUTHENTICATION, KafkaError.SASL_AUTHENTICATION_FAILED}:
            self._auth_failure = (now, error.str())
        elif error.code() == KafkaError._ALL_BROKERS_DOWN:
            self._brokers_down = (now, error.str())
        if now - self._last_logged.get(error.code(), -_LOG_EVERY_SECONDS) >= _LOG_EVERY_SECONDS:
            self._last_logged[error.code()] = now
            _log.warning("Kafka %s: %s", self.target, sanitize(error.str()))


def _discard_outcome(done: asyncio.Future[list[object]]) -> None:
    if not done.cancelled():
        done.exception()  # retrieved, so asyncio does not report it as lost


def _unique(items: Sequence[T]) -> list[T]:
    """One admin request per topic even when two reconciles of one topic meet in a batch."""
    seen: dict[str, T] = {}
    for item in items:
        topic = getattr(item, "topic", None)
        if isinstance(topic, str):
            seen.setdefault(topic, item)
    return list(seen.values())


def _is_unknown_topic(outcome: object) -> bool:
    if not isinstance(outcome, BaseException):
        return False
    kafka_error = kafka_error_of(outcome)
    return kafka_error is not None and kafka_error.code() == KafkaError.UNKNOWN_TOPIC_OR_PART


def _observation(topic: str, description: object, config: object) -> ModelTopicObservation:
    partitions = list(getattr(description, "partitions", []))
    replicas = len(getattr(partitions[0], "replicas", [])) if partitions else 0
    dynamic: dict[str, str] = {}
    if isinstance(config, dict):
        for key, entry in config.items():
            if (
                getattr(entry, "source", None) == ConfigSource.DYNAMIC_TOPIC_CONFIG.value
                and entry.value is not None
            ):
                dynamic[str(key)] = str(entry.value)
    return ModelTopicObservation(
        name=topic,
        topic_id=str(getattr(description, "topic_id", "")),
        partitions=len(partitions),
        replication_factor=replicas,
        dynamic_config=dynamic,
    )
