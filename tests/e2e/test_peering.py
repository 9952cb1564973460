"""Two operators with kopf peering on one namespace: only the higher priority reconciles; SIGKILLed,
the other takes over once the dead peer's entry has outlived its lifetime, with no user action."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException

from onex_operator.kube.crds import install_crds
from tests.conftest import RunningTestbed
from tests.e2e.conftest import (
    REPO,
    Cluster,
    OperatorProcess,
    make_cluster,
    remove_cluster,
    running_operator,
    wait_until,
)
from tests.e2e.test_kafka_topic_lifecycle import describe, unique_topic

pytestmark = pytest.mark.e2e

PLURAL, KIND = "kafkatopics", "KafkaTopic"
PEERING = "onex-peering-e2e"
# kopf's default peering lifetime (settings.peering.lifetime), which the operator keeps: a peer that
# stopped touching the peering object counts as alive this long after its last touch
LIFETIME = 60
# a prefix no session's shared operator watches (theirs is e2e-<hex>-*)
PREFIX = "peering-e2e-"


def metric(operator: OperatorProcess, name: str, **labels: str) -> float:
    """The sum of `name`'s samples whose labels include `labels` (0 when there are none)."""
    status, text = operator.get("/metrics")
    assert status == 200, text
    wanted = [f'{key}="{value}"' for key, value in labels.items()]
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(f"{name}{{") and all(label in line for label in wanted)
    )


def reconciles(operator: OperatorProcess) -> float:
    return metric(operator, "onex_reconciles_total", kind=KIND)


def kafka_requests(operator: OperatorProcess, **labels: str) -> float:
    return metric(operator, "onex_admin_requests_total", transport="kafka", **labels)


@pytest.fixture
def peering_cluster(api: ApiClient, testbed: RunningTestbed, tmp_path: Path) -> Iterator[Cluster]:
    """A fresh namespace with kopf's peering CRDs installed and a KopfPeering object in it."""
    crds = tmp_path / "peering-crds"
    crds.mkdir()
    shutil.copy(REPO / "charts" / "onex-infra-operator" / "crds" / "kopf.dev_peerings.yaml", crds)
    install_crds(api, crds)
    made = make_cluster(api, testbed, PREFIX)
    body: dict[str, object] = {
        "apiVersion": "kopf.dev/v1",
        "kind": "KopfPeering",
        "metadata": {"name": PEERING, "namespace": made.namespace},
    }
    wait_until(
        lambda: peering_accepted(made, body), 30, "the KopfPeering kind was never served by the apiserver"
    )
    yield made
    remove_cluster(made)


def peering_accepted(cluster: Cluster, body: dict[str, object]) -> bool:
    try:
        cluster.objects.create_namespaced_custom_object(
            "kopf.dev", "v1", cluster.namespace, "kopfpeerings", body
        )
    except ApiException as error:
        if error.status == 409:
            return True
        if error.status == 404:
            return False
        raise
    return True


def peers(cluster: Cluster) -> set[str]:
    body = cluster.objects.get_namespaced_custom_object(
        "kopf.dev", "v1", cluster.namespace, "kopfpeerings", PEERING
    )
    assert isinstance(body, dict)
    status = body.get("status")
    return {str(identity) for identity in status} if isinstance(status, dict) else set()


def peered(
    testbed: RunningTestbed, log_dir: Path, cluster: Cluster, identity: str, priority: int
) -> AbstractContextManager[OperatorProcess]:
    """An operator on the cluster's namespace in the peering, with an explicit kopf identity."""
    return running_operator(
        testbed,
        log_dir,
        cluster.namespace,
        extra_args=["--peering", PEERING, "--peering-priority", str(priority)],
        env={"POD_ID": identity},
    )


def topic_spec() -> dict[str, object]:
    return {"topicName": unique_topic(), "partitions": 1, "replicationFactor": 1, "deletionPolicy": "Delete"}


def test_only_the_higher_priority_reconciles_and_the_other_takes_over(
    peering_cluster: Cluster, testbed: RunningTestbed, tmp_path: Path
) -> None:
    cluster = peering_cluster
    high_id, low_id = f"high-{uuid.uuid4().hex[:6]}", f"low-{uuid.uuid4().hex[:6]}"
    with (
        peered(testbed, tmp_path, cluster, high_id, 200) as high,
        peered(testbed, tmp_path, cluster, low_id, 100) as low,
    ):
        wait_until(lambda: peers(cluster) >= {high_id, low_id}, 30, lambda: f"peers are {peers(cluster)}")
        first = {f"before-{index}": topic_spec() for index in range(3)}
        for name, spec in first.items():
            cluster.apply(PLURAL, KIND, name, spec)
        for name, spec in first.items():
            cluster.wait_condition(PLURAL, name, status="True", reason="Reconciled")
            assert describe(testbed, str(spec["topicName"])) is not None
        assert reconciles(high) >= len(first)
        # the paused one did nothing at all: no reconcile, no Kafka request
        assert reconciles(low) == 0 and kafka_requests(low) == 0, low.log()
        # creates may share a batched call; never more than one per topic
        assert 1 <= kafka_requests(high, operation="create_topics") <= len(first)

        high.stop(kill=True)
        assert high.process.returncode == -9
        after = {f"after-{index}": topic_spec() for index in range(2)}
        for name, spec in after.items():
            cluster.apply(PLURAL, KIND, name, spec)
        # within the dead peer's lifetime plus the time to reconcile (the timeout is a bound, not a
        # measured value)
        for name, spec in after.items():
            cluster.wait_condition(PLURAL, name, status="True", reason="Reconciled", timeout=LIFETIME + 60)
            assert describe(testbed, str(spec["topicName"])) is not None
        assert reconciles(low) >= len(after), low.log()
        assert 1 <= kafka_requests(low, operation="create_topics") <= len(after)
        # the survivor cleaned the dead peer out of the peering object
        wait_until(lambda: high_id not in peers(cluster), 30, lambda: f"peers are {peers(cluster)}")
        # the survivor removes its deletion finalizers: every topic goes, in Kafka too
        for name in (*first, *after):
            cluster.delete(PLURAL, name)
        topics = [str(spec["topicName"]) for spec in (*first.values(), *after.values())]
        for name in (*first, *after):
            cluster.wait_gone(PLURAL, name)
        wait_until(
            lambda: all(describe(testbed, topic) is None for topic in topics), 30, "a topic stayed in Kafka"
        )
