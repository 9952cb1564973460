"""The operator killed (SIGKILL) in the middle of reconciling 100 KafkaTopics, then started again:
every resource converges, every topic exists once with its partitions, none is lost or disowned."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from confluent_kafka import TopicCollection
from confluent_kafka.admin import AdminClient
from kubernetes.client import ApiClient

from tests.conftest import RunningTestbed
from tests.e2e.conftest import (
    GROUP,
    VERSION,
    Cluster,
    make_cluster,
    release_namespace,
    running_operator,
    wait_until,
)
from tests.e2e.private_kafka import remove_topics, shared_admin

pytestmark = pytest.mark.e2e
PLURAL, KIND = "kafkatopics", "KafkaTopic"
COUNT = 100
KILL_PREFIX = f"kill-{uuid.uuid4().hex[:4]}-"  # per session, like the other e2e namespaces
NAMESPACE_GLOB = f"{KILL_PREFIX}*"
KILL_AFTER_TOPICS = 25  # some Ready, some created but not recorded, some not yet seen


def partitions_of(index: int) -> int:
    return 1 + index % 3


@pytest.fixture
def kill_cluster(api: ApiClient, testbed: RunningTestbed) -> Iterator[Cluster]:
    """A namespace only this test's operators watch. Cleaned up without an operator: finalizers are
    removed by hand, so a failed test never waits for a finalizer nobody runs."""
    cluster = make_cluster(api, testbed, KILL_PREFIX)
    yield cluster
    release_namespace(api, cluster.namespace)


def our_topics(admin: AdminClient, prefix: str) -> dict[str, int]:
    topics = admin.list_topics(timeout=10).topics
    return {name: len(meta.partitions) for name, meta in topics.items() if name.startswith(prefix)}


def topic_ids(admin: AdminClient, names: dict[str, int]) -> dict[str, str]:
    futures = admin.describe_topics(TopicCollection(sorted(names)), request_timeout=30)
    return {name: str(future.result(60).topic_id) for name, future in futures.items()}


def ready_count(cluster: Cluster) -> tuple[int, list[str]]:
    """How many are Ready for their generation, and the Ready reasons of the others."""
    items = cluster.objects.list_namespaced_custom_object(GROUP, VERSION, cluster.namespace, PLURAL)["items"]
    ready, others = 0, []
    for item in items:
        conditions = (item.get("status") or {}).get("conditions") or []
        condition = next((c for c in conditions if c.get("type") == "Ready"), {})
        current = condition.get("observedGeneration") == item["metadata"]["generation"]
        if condition.get("status") == "True" and current:
            ready += 1
        else:
            others.append(f"{item['metadata']['name']}: {condition.get('reason')}")
    return ready, others


def test_sigkill_mid_reconcile_then_restart_converges(
    kill_cluster: Cluster, testbed: RunningTestbed, tmp_path: Path
) -> None:
    cluster = kill_cluster
    prefix = f"kill.{uuid.uuid4().hex[:8]}."
    topics = {f"{prefix}{index:03d}": partitions_of(index) for index in range(COUNT)}
    admin = shared_admin(testbed)
    applied: list[str] = []
    apply_errors: list[BaseException] = []

    def apply_all() -> None:
        try:
            for index, (topic, partitions) in enumerate(topics.items()):
                spec = {"topicName": topic, "partitions": partitions, "config": {"retention.ms": "7200000"}}
                cluster.apply(PLURAL, KIND, f"t{index:03d}", spec)
                applied.append(topic)
        except Exception as error:  # noqa: BLE001 - re-raised by the test thread
            apply_errors.append(error)

    try:
        with running_operator(testbed, tmp_path, NAMESPACE_GLOB) as first:
            applier = threading.Thread(target=apply_all, name="apply-100")
            applier.start()
            # kill once the operator has created a quarter of the topics: creates, status writes and
            # resources not yet seen are all in flight at that moment
            deadline = time.monotonic() + 60
            while (
                len(our_topics(admin, prefix)) < KILL_AFTER_TOPICS
                and time.monotonic() < deadline
                and first.process.poll() is None
            ):
                time.sleep(0.05)
            first.stop(kill=True)
            assert first.process.returncode == -9, f"the operator was not killed: {first.process.returncode}"
            applier.join(timeout=120)
        assert not apply_errors, apply_errors
        assert len(applied) == COUNT
        ready_at_kill, _ = ready_count(cluster)
        existing_at_kill = len(our_topics(admin, prefix))
        assert existing_at_kill > 0, f"the first operator created no topic in 60 s:\n{first.log()}"
        assert ready_at_kill < COUNT, "the kill came after everything was done; nothing was interrupted"
        print(f"at the kill: {existing_at_kill} topics in Kafka, {ready_at_kill} resources Ready")

        with running_operator(testbed, tmp_path, NAMESPACE_GLOB) as second:
            wait_until(
                lambda: ready_count(cluster)[0] == COUNT,
                180,
                lambda: f"not all converged: {ready_count(cluster)[1][:10]}\n{second.log()[-4000:]}",
            )
            assert our_topics(admin, prefix) == topics
            items = cluster.objects.list_namespaced_custom_object(GROUP, VERSION, cluster.namespace, PLURAL)
            statuses = {item["spec"]["topicName"]: item["status"] for item in items["items"]}
            for topic, partitions in topics.items():
                status = statuses[topic]
                reason = next(c["reason"] for c in status["conditions"] if c["type"] == "Ready")
                assert reason == "Reconciled", (topic, status)
                assert status.get("topicName") == topic and status.get("partitions") == partitions, status
                assert status.get("topicId"), status
            # each resource records the id of the one topic Kafka has under its name
            assert {topic: status["topicId"] for topic, status in statuses.items()} == topic_ids(
                admin, topics
            )
            conflicts = [
                e
                for e in cluster.core.list_namespaced_event(cluster.namespace).items
                if e.reason == "ResourceConflict"
            ]
            assert not conflicts, [(e.involved_object.name, e.message) for e in conflicts]
    finally:
        remove_topics(admin, list(our_topics(admin, prefix)))
