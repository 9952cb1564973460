"""`onex-infra run`: kopf with sensible settings, the HTTP hub, the drift sweep, graceful stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import kopf

from onex_operator.container import ONEXContainer
from onex_operator.handlers.managed import register_connection_watch, register_kind, register_secret_watch
from onex_operator.kube.api import IO_THREADS
from onex_operator.models.node_contracts import NODE_CONTRACTS
from onex_operator.nodes.consul_adapter.adapter import ConsulServiceAdapter
from onex_operator.nodes.kafka_adapter.adapter import KafkaTopicAdapter
from onex_operator.nodes.postgres_adapter.adapter import PostgresMigrationAdapter
from onex_operator.nodes.vault_adapter.adapter import VaultSecretAdapter
from onex_operator.runtime.hub import HttpHub
from onex_operator.runtime.kopf_logs import quiet_kopf
from onex_operator.runtime.login import login
from onex_operator.runtime.managed.envelope import FINALIZER
from onex_operator.runtime.managed.events import EventPoster
from onex_operator.runtime.managed.kinds import ProtocolManagedKind
from onex_operator.runtime.managed.reconciler import ManagedReconciler
from onex_operator.runtime.managed.teardown import TerminatingNamespaces
from onex_operator.runtime.settings import ModelOperatorSettings
from onex_operator.runtime.stopping import install_stop_signals
from onex_operator.runtime.sweeper import DriftSweeper

_log = logging.getLogger("onex.operator")


def kopf_settings(settings: ModelOperatorSettings) -> kopf.OperatorSettings:
    configured = kopf.OperatorSettings()
    # a watch that never times out can hang silently on a half-dead connection
    configured.watching.server_timeout = settings.watch_server_timeout_seconds
    configured.watching.client_timeout = settings.watch_server_timeout_seconds + 60
    configured.watching.connect_timeout = 30
    # a worker per object; an idle one exits soon so a burst of new objects is not queued behind it
    configured.queueing.worker_limit = settings.worker_limit
    configured.queueing.idle_timeout = 1.0
    # the operator posts its own Events (with correlation ids); kopf's log-to-Event copy would flood
    configured.posting.enabled = False
    configured.persistence.finalizer = FINALIZER
    # kopf strips every annotation under its progress prefix from the state it diffs: under our own
    # prefix it would hide the user's request annotations (rotate, repair) from the update handlers
    configured.persistence.progress_storage = kopf.AnnotationsProgressStorage(prefix="kopf.infra.onex.dev")
    configured.persistence.diffbase_storage = kopf.AnnotationsDiffBaseStorage(
        prefix="infra.onex.dev", key="last-handled-configuration"
    )
    if settings.peering_name:
        configured.peering.name = settings.peering_name
        configured.peering.priority = settings.peering_priority
        configured.peering.mandatory = True
        configured.peering.clusterwide = not settings.namespaces
    else:
        configured.peering.standalone = True
    return configured


def _report_nodes(container: ONEXContainer) -> None:
    for name, contract in NODE_CONTRACTS.items():
        container.health.set_node(name, contract.node_type, contract.contract_version, healthy=True)


async def run_operator(settings: ModelOperatorSettings, stop: asyncio.Event | None = None) -> None:
    # the blocking Kubernetes client runs in worker threads; the default pool (cores + 4) would
    # queue a thousand reconciles behind six threads
    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(IO_THREADS, thread_name_prefix="onex-io")
    )
    quiet_kopf()
    container = ONEXContainer(settings)
    events = EventPoster(container.kube)
    kafka_topics = ManagedReconciler(container, KafkaTopicAdapter(container), events)
    vault_secrets = ManagedReconciler(container, VaultSecretAdapter(container), events)
    consul_services = ManagedReconciler(container, ConsulServiceAdapter(container), events)
    postgres_migrations = ManagedReconciler(container, PostgresMigrationAdapter(container), events)
    registry = kopf.OperatorRegistry()
    # a private registry starts without kopf's default login handlers
    kopf.on.login(registry=registry)(login)
    register_kind(registry, kafka_topics)
    register_kind(registry, vault_secrets)
    register_kind(registry, consul_services)
    register_kind(registry, postgres_migrations)
    kinds: list[ProtocolManagedKind] = [kafka_topics, vault_secrets, consul_services, postgres_migrations]
    register_secret_watch(registry, kinds, container.usage)
    register_connection_watch(registry, container.usage)
    container.usage.watch(kinds)
    _report_nodes(container)
    hub = HttpHub(container.metrics, container.health, settings.hub_host, settings.hub_port)
    await hub.start()
    _log.info("HTTP hub on %s:%d (/healthz /readyz /metrics /nodes /services)", settings.hub_host, hub.port)
    ready = asyncio.Event()
    usage = asyncio.create_task(container.usage.run(), name="connection-usage")
    # watching all namespaces, kopf sees every deletion; by name or glob, it misses the
    # namespaces already Terminating at its start (runtime/managed/teardown.py)
    teardown = asyncio.create_task(
        TerminatingNamespaces(container.kube, container.usage, kinds, settings.namespaces).run()
        if settings.namespaces
        else asyncio.Event().wait(),
        name="terminating-namespaces",
    )
    sweeper = asyncio.create_task(
        DriftSweeper(kinds, container.metrics, settings.sweep_tick_seconds).run(), name="drift-sweeper"
    )

    stopping = stop if stop is not None else asyncio.Event()

    async def mark_ready() -> None:
        await ready.wait()
        # kopf installed its signal handlers while starting; these replace them (runtime/stopping.py)
        if threading.current_thread() is threading.main_thread():
            install_stop_signals(stopping)
        container.health.set_ready(True)
        _log.info("operator ready: watching %s", ", ".join(settings.namespaces) or "all namespaces")

    readiness = asyncio.create_task(mark_ready())
    try:
        await kopf.operator(
            registry=registry,
            settings=kopf_settings(settings),
            namespaces=list(settings.namespaces),
            clusterwide=not settings.namespaces,
            ready_flag=ready,
            stop_flag=stopping,
        )
    finally:
        container.health.set_ready(False, "stopping")
        retrying = sum(kind.retrying_count() for kind in kinds)
        if retrying:
            _log.info(
                "stopping with %d resource(s) mid-retry; they are reconciled at the next start", retrying
            )
        for task in (sweeper, readiness, usage, teardown):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await hub.stop()
        await container.postgres_pools.close()
        _log.info("operator stopped")
