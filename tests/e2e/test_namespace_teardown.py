"""Deleting a namespace tears down in order with no user action (issue: Delete-policy objects
leaked): the resources first, each by its policy, then their connection, then its credentials.
Every external object is read back from its service."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator

import pytest
from kubernetes import client
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException

from tests.conftest import RunningTestbed
from tests.e2e.conftest import (
    E2E_NAMESPACE_PREFIX,
    Cluster,
    OperatorProcess,
    kafka_connection,
    make_cluster,
    release_namespace,
    running_operator,
    wait_until,
)
from tests.e2e.private_kafka import remove_topics, shared_admin

pytestmark = pytest.mark.e2e
IN_USE = "infra.onex.dev/in-use"
KOPF_FINALIZER = "infra.onex.dev/finalizer"
NAMESPACE_GONE_SECONDS = 60


def vault_request(testbed: RunningTestbed, method: str, path: str) -> dict[str, object] | None:
    request = urllib.request.Request(
        f"{testbed.env['VAULT_ADDR']}/v1/{path}",
        method=method,
        headers={"X-Vault-Token": testbed.env["VAULT_TOKEN"]},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise
    return json.loads(body) if body else {}


def vault_secret_exists(testbed: RunningTestbed, path: str) -> bool:
    return vault_request(testbed, "GET", f"secret/metadata/{path}") is not None


def topic_exists(testbed: RunningTestbed, topic: str) -> bool:
    return topic in shared_admin(testbed).list_topics(timeout=10).topics


def connect_everything(cluster: Cluster) -> None:
    """The namespace's InfraConnection gets a vault section beside its kafka one (token auth)."""
    testbed = cluster.testbed
    cluster.put_secret(
        "testbed-credentials",
        {
            "kafka-password": testbed.env["ONEX_KAFKA_SASL_PASSWORD"],
            "openbao-token": testbed.env["VAULT_TOKEN"],
        },
    )
    spec = kafka_connection(testbed)
    spec["vault"] = {
        "address": testbed.env["VAULT_ADDR"],
        "auth": {"token": {"secretRef": {"name": "testbed-credentials", "key": "openbao-token"}}},
    }
    cluster.apply("infraconnections", "InfraConnection", "default", spec)


def namespace_exists(api: ApiClient, namespace: str) -> bool:
    try:
        client.CoreV1Api(api).read_namespace(namespace)
    except ApiException as error:
        if error.status == 404:
            return False
        raise
    return True


def finalizers(cluster: Cluster, plural: str, name: str) -> list[str]:
    if plural == "secrets":
        return list(cluster.core.read_namespaced_secret(name, cluster.namespace).metadata.finalizers or [])
    body = cluster.get(plural, name) or {}
    return list((body.get("metadata") or {}).get("finalizers") or [])  # type: ignore[union-attr]


@pytest.fixture
def teardown_cluster(api: ApiClient, testbed: RunningTestbed, operator: OperatorProcess) -> Iterator[Cluster]:
    """A namespace this test deletes itself; released by hand when the test failed halfway."""
    made = make_cluster(api, testbed, E2E_NAMESPACE_PREFIX)
    connect_everything(made)
    yield made
    if namespace_exists(api, made.namespace):
        release_namespace(api, made.namespace)


def make_objects(cluster: Cluster, policy: str) -> tuple[str, str]:
    topic = f"e2e.teardown.{uuid.uuid4().hex[:10]}"
    path = f"e2e-teardown/{uuid.uuid4().hex[:10]}"
    cluster.apply(
        "kafkatopics", "KafkaTopic", "events", {"topicName": topic, "partitions": 1, "deletionPolicy": policy}
    )
    cluster.apply(
        "vaultsecrets",
        "VaultSecret",
        "db",
        {"path": path, "deletionPolicy": policy, "data": [{"key": "password", "generate": {"length": 16}}]},
    )
    cluster.wait_condition("kafkatopics", "events", status="True")
    cluster.wait_condition("vaultsecrets", "db", status="True")
    assert topic_exists(cluster.testbed, topic) and vault_secret_exists(cluster.testbed, path)
    return topic, path


def test_deleting_a_namespace_deletes_every_delete_policy_object(
    teardown_cluster: Cluster, api: ApiClient
) -> None:
    cluster, testbed = teardown_cluster, teardown_cluster.testbed
    topic, path = make_objects(cluster, "Delete")
    wait_until(
        lambda: (
            IN_USE in finalizers(cluster, "infraconnections", "default")
            and IN_USE in finalizers(cluster, "secrets", "testbed-credentials")
        ),
        30,
        "the connection in use and its credentials were never protected",
    )
    connection = cluster.get("infraconnections", "default") or {}
    assert (connection.get("status") or {}).get("usedBy") == 2, connection.get("status")  # type: ignore[union-attr]

    cluster.core.delete_namespace(cluster.namespace)
    wait_until(
        lambda: not namespace_exists(api, cluster.namespace),
        NAMESPACE_GONE_SECONDS,
        f"namespace {cluster.namespace} still exists after {NAMESPACE_GONE_SECONDS}s",
    )
    assert not topic_exists(testbed, topic), f"topic {topic} survived its namespace"
    assert not vault_secret_exists(testbed, path), f"Vault secret {path} survived its namespace"


def test_retain_objects_stay_and_hold_nothing_up(teardown_cluster: Cluster, api: ApiClient) -> None:
    cluster, testbed = teardown_cluster, teardown_cluster.testbed
    topic, path = make_objects(cluster, "Retain")
    wait_until(
        lambda: (
            KOPF_FINALIZER not in finalizers(cluster, "kafkatopics", "events")
            and KOPF_FINALIZER not in finalizers(cluster, "vaultsecrets", "db")
        ),
        30,
        "a Retain resource carries a finalizer",
    )
    try:
        cluster.core.delete_namespace(cluster.namespace)
        wait_until(
            lambda: not namespace_exists(api, cluster.namespace),
            NAMESPACE_GONE_SECONDS,
            f"namespace {cluster.namespace} still exists after {NAMESPACE_GONE_SECONDS}s",
        )
        assert topic_exists(testbed, topic), "deletionPolicy Retain lost the topic"
        assert vault_secret_exists(testbed, path), "deletionPolicy Retain lost the Vault secret"
    finally:
        remove_topics(shared_admin(testbed), [topic])
        vault_request(testbed, "DELETE", f"secret/metadata/{path}")


def test_a_connection_in_use_waits_for_its_users(teardown_cluster: Cluster) -> None:
    cluster = teardown_cluster
    make_objects(cluster, "Delete")
    wait_until(lambda: IN_USE in finalizers(cluster, "infraconnections", "default"), 30, "never protected")
    cluster.delete("infraconnections", "default")

    def waiting() -> bool:
        body = cluster.get("infraconnections", "default") or {}
        conditions = (body.get("status") or {}).get("conditions") or []  # type: ignore[union-attr]
        return any(
            c.get("reason") == "WaitingForUsers"
            and "KafkaTopic" in c.get("message", "")
            and "VaultSecret" in c.get("message", "")
            for c in conditions
        )

    wait_until(
        waiting, 30, lambda: f"no WaitingForUsers condition: {cluster.get('infraconnections', 'default')}"
    )
    assert (cluster.get("infraconnections", "default") or {}).get("metadata", {}).get("deletionTimestamp")  # type: ignore[union-attr]

    cluster.delete("kafkatopics", "events")
    cluster.delete("vaultsecrets", "db")
    cluster.wait_gone("infraconnections", "default", timeout=60)
    wait_until(
        lambda: IN_USE not in finalizers(cluster, "secrets", "testbed-credentials"),
        30,
        "the credentials stayed protected after their connection was gone",
    )


def test_the_abandon_annotation_releases_and_keeps_the_object(teardown_cluster: Cluster) -> None:
    cluster, testbed = teardown_cluster, teardown_cluster.testbed
    topic = f"e2e.abandon.{uuid.uuid4().hex[:10]}"
    cluster.apply(
        "kafkatopics", "KafkaTopic", "kept", {"topicName": topic, "partitions": 1, "deletionPolicy": "Delete"}
    )
    cluster.wait_condition("kafkatopics", "kept", status="True")
    wait_until(
        lambda: KOPF_FINALIZER in finalizers(cluster, "kafkatopics", "kept"), 30, "no finalizer on Delete"
    )
    try:
        annotation = {"metadata": {"annotations": {"infra.onex.dev/abandon": "true"}}}
        cluster.objects.patch_namespaced_custom_object(
            "infra.onex.dev", "v1alpha1", cluster.namespace, "kafkatopics", "kept", annotation
        )
        wait_until(
            lambda: any(event.reason == "Abandoned" for event in cluster.events("kept")),
            30,
            "no Abandoned Event says what deleting it keeps",
        )
        cluster.delete("kafkatopics", "kept")
        cluster.wait_gone("kafkatopics", "kept", timeout=30)
        assert topic_exists(testbed, topic), "the abandoned resource's topic was deleted"
    finally:
        remove_topics(shared_admin(testbed), [topic])


def test_teardown_completes_when_the_operator_comes_back(
    api: ApiClient, testbed: RunningTestbed, tmp_path_factory: pytest.TempPathFactory
) -> None:
    prefix = f"e2e-down-{uuid.uuid4().hex[:4]}-"
    cluster = make_cluster(api, testbed, prefix)
    connect_everything(cluster)
    log_dir = tmp_path_factory.mktemp("teardown-operator")
    try:
        with running_operator(testbed, log_dir, f"{prefix}*"):
            topic, path = make_objects(cluster, "Delete")
        cluster.core.delete_namespace(cluster.namespace)
        # nobody runs the finalizers: the namespace waits, the objects stay
        wait_until(
            lambda: bool(
                (cluster.get("kafkatopics", "events") or {}).get("metadata", {}).get("deletionTimestamp")
            ),  # type: ignore[union-attr]
            30,
            "the namespace deletion never reached the KafkaTopic",
        )
        assert namespace_exists(api, cluster.namespace) and topic_exists(testbed, topic)
        with running_operator(testbed, log_dir, f"{prefix}*"):
            wait_until(
                lambda: not namespace_exists(api, cluster.namespace),
                NAMESPACE_GONE_SECONDS,
                f"namespace {cluster.namespace} remains {NAMESPACE_GONE_SECONDS}s after the operator restart",
            )
        assert not topic_exists(testbed, topic) and not vault_secret_exists(testbed, path)
    finally:
        if namespace_exists(api, cluster.namespace):
            release_namespace(api, cluster.namespace)
