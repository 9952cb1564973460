"""KafkaTopic when things go wrong: Kafka away, wrong or missing credentials, connections that may not
be used, and secret values that must never leave the operator."""

from __future__ import annotations

import json
import time
import uuid
from itertools import pairwise
from pathlib import Path
from urllib.parse import quote

import pytest
from confluent_kafka import TopicCollection
from confluent_kafka.admin import AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from tests.conftest import RunningTestbed
from tests.e2e.conftest import GROUP, VERSION, Cluster, OperatorProcess, kafka_connection, wait_until
from tests.e2e.private_kafka import private_kafka, remove_topics, shared_admin

pytestmark = pytest.mark.e2e
PLURAL, KIND = "kafkatopics", "KafkaTopic"
UNREACHABLE = {"InfraConnectionError", "InfraTimeoutError"}
# Kafka's timeouts are 15-30 s per call in the contract; a failure may take one call to surface.
FAILURE_TIMEOUT = 90


def unique_topic() -> str:
    return f"e2e.fail.{uuid.uuid4().hex[:10]}"


def topic_partitions(admin: AdminClient, topic: str) -> int | None:
    topics = admin.list_topics(timeout=10).topics
    return len(topics[topic].partitions) if topic in topics else None


def status_of(cluster: Cluster, name: str) -> dict[str, object]:
    status = (cluster.get(PLURAL, name) or {}).get("status")
    return status if isinstance(status, dict) else {}


def wait_ready_reason(
    cluster: Cluster, name: str, reasons: set[str], timeout: float = FAILURE_TIMEOUT
) -> dict[str, object]:
    """Ready=False for the current generation with one of `reasons`; the status then."""
    seen: dict[str, object] = {}

    def reached() -> bool:
        nonlocal seen
        body = cluster.get(PLURAL, name) or {}
        ready = cluster.condition(PLURAL, name) or {}
        seen = {"ready": ready, "status": body.get("status")}
        generation = (body.get("metadata") or {}).get("generation")  # type: ignore[union-attr]
        return (
            ready.get("status") == "False"
            and ready.get("reason") in reasons
            and ready.get("observedGeneration") == generation
        )

    wait_until(reached, timeout, lambda: f"{name} never reached Ready=False with {sorted(reasons)}: {seen}")
    return status_of(cluster, name)


def assert_last_error(status: dict[str, object], error_class: str, *, retryable: bool = True) -> None:
    last_error = status.get("lastError")
    assert isinstance(last_error, dict), f"no lastError in {status}"
    assert last_error["errorClass"] == error_class, last_error
    assert last_error["operation"], last_error
    assert uuid.UUID(str(last_error["correlationId"])), last_error
    assert last_error["retryable"] is retryable, last_error


def condition_status(cluster: Cluster, name: str, kind: str) -> object:
    return (cluster.condition(PLURAL, name, kind) or {}).get("status")


def uses(connection: str, kind: str = "InfraConnection") -> dict[str, object]:
    return {"connectionRef": {"kind": kind, "name": connection}}


def on_own_connection(cluster: Cluster, name: str, secret: str, topic: str, partitions: int) -> None:
    """A SASL InfraConnection `name` whose password is read from Secret `secret`, and a KafkaTopic
    `name` on it."""
    cluster.apply("infraconnections", "InfraConnection", name, kafka_connection(cluster.testbed, secret))
    cluster.apply(PLURAL, KIND, name, {"topicName": topic, "partitions": partitions, **uses(name)})


def test_kafka_stopped_during_reconcile_recovers_without_user_action(
    cluster: Cluster, tmp_path: Path
) -> None:
    topic = unique_topic()
    with private_kafka(cluster.testbed, tmp_path / "kafka") as broker:
        cluster.apply("infraconnections", "InfraConnection", "private", broker.connection_spec())
        spec = {"topicName": topic, "partitions": 1, **uses("private")}
        cluster.apply(PLURAL, KIND, "outage", spec)
        cluster.wait_condition(PLURAL, "outage", status="True", reason="Reconciled")

        broker.stop()
        # a change made while Kafka is away: the reconcile it starts cannot reach the broker
        cluster.apply(PLURAL, KIND, "outage", {**spec, "partitions": 3})
        status = wait_ready_reason(cluster, "outage", UNREACHABLE)
        reason = (cluster.condition(PLURAL, "outage") or {}).get("reason")
        assert_last_error(status, str(reason))  # the class in lastError is the Ready reason
        last_error = status["lastError"]
        assert isinstance(last_error, dict)
        assert last_error["transport"] == "kafka"
        assert broker.bootstrap in str(last_error.get("target")), last_error
        assert condition_status(cluster, "outage", "Stalled") == "False"
        assert condition_status(cluster, "outage", "Reconciling") == "True"
        warnings = [event for event in cluster.events("outage") if event.reason == last_error["errorClass"]]
        assert warnings, [(event.reason, event.message) for event in cluster.events("outage")]
        assert any(str(last_error["correlationId"]) in (event.message or "") for event in warnings)

        broker.start()  # nothing else changes: the operator must notice by itself
        cluster.wait_condition(PLURAL, "outage", status="True", reason="Reconciled", timeout=FAILURE_TIMEOUT)
        admin = broker.admin()
        assert topic_partitions(admin, topic) == 3
        status = status_of(cluster, "outage")
        assert "lastError" not in status, status
        assert status["partitions"] == 3
        assert "Recovered" in {event.reason for event in cluster.events("outage")}


CREATE_TOPICS = 19  # Kafka protocol API key


def test_a_lost_create_response_leaves_the_topic_with_its_resource(cluster: Cluster, tmp_path: Path) -> None:
    """Kafka creates the topic but its answer never arrives (the call times out). The resource
    recorded its claim (status.topicName) before creating, so the topic is its own: it must become
    Ready with the topic's id, never ResourceConflict with itself."""
    topic = unique_topic()
    with private_kafka(cluster.testbed, tmp_path / "kafka", proxied=True) as broker:
        assert broker.proxy is not None
        cluster.apply("infraconnections", "InfraConnection", "private", broker.connection_spec())
        broker.proxy.swallow(CREATE_TOPICS)
        cluster.apply(PLURAL, KIND, "lost", {"topicName": topic, "partitions": 2, **uses("private")})
        # the failed create is announced by an Event (the status moves on at the next reconcile)
        wait_until(
            lambda: any(event.reason in UNREACHABLE for event in cluster.events("lost")),
            FAILURE_TIMEOUT,
            lambda: f"the create never failed: {[(e.reason, e.message) for e in cluster.events('lost')]}",
        )
        admin = broker.admin()
        assert broker.proxy.swallowed == [CREATE_TOPICS]
        assert topic_partitions(admin, topic) == 2, "the broker did not create the topic"

        found = cluster.wait_condition(
            PLURAL, "lost", status="True", reason="Reconciled", timeout=FAILURE_TIMEOUT
        )
        status = found["status"]
        assert isinstance(status, dict)
        description = admin.describe_topics(TopicCollection([topic]))[topic].result(30)
        assert status.get("topicName") == topic, json.dumps(status)
        assert status.get("topicId") == str(description.topic_id), json.dumps(status)
        assert "lastError" not in status, json.dumps(status)
        assert "ResourceConflict" not in {event.reason for event in cluster.events("lost")}


def corrections_while_sabotaged(
    admin: AdminClient, topic: str, key: str, wanted: str, seconds: float
) -> list[float]:
    """Change `key` of `topic` behind the operator's back for `seconds`; each time the operator has
    put it back, note when (monotonic) and change it again. Every correction is one drift check."""
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic)

    def sabotage() -> None:
        entry = ConfigEntry(key, str(int(wanted) + 1), incremental_operation=AlterConfigOpType.SET)
        sabotaged = ConfigResource(ConfigResource.Type.TOPIC, topic, incremental_configs=[entry])
        admin.incremental_alter_configs([sabotaged])[sabotaged].result(30)

    corrected: list[float] = []
    sabotage()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if admin.describe_configs([resource])[resource].result(30)[key].value == wanted:
            corrected.append(time.monotonic())
            sabotage()
        time.sleep(0.25)
    return corrected


def test_an_unreachable_broker_does_not_hold_up_other_resources(
    cluster: Cluster, testbed: RunningTestbed, tmp_path: Path
) -> None:
    """One failing neighbour never fails the others: while one connection's broker is down (each
    call to it waits for its contract timeout), drift on a healthy connection is still corrected
    every drift interval (4 s here, rounded up to the schedule grid, plus the sweep's tick)."""
    steady = unique_topic()
    admin = shared_admin(testbed)
    window_seconds, longest_gap = 36.0, 12.0
    try:
        spec = {"topicName": steady, "partitions": 1, "config": {"retention.ms": "3600000"}}
        cluster.apply(PLURAL, KIND, "steady", spec)
        with private_kafka(testbed, tmp_path / "kafka") as broker:
            cluster.apply("infraconnections", "InfraConnection", "private", broker.connection_spec())
            stranded = {"topicName": unique_topic(), "partitions": 1, **uses("private")}
            cluster.apply(PLURAL, KIND, "stranded", stranded)
            cluster.wait_condition(PLURAL, "stranded", status="True", reason="Reconciled")
            cluster.wait_condition(PLURAL, "steady", status="True", reason="Reconciled")
            broker.stop()
            wait_ready_reason(cluster, "stranded", UNREACHABLE)

            corrected = corrections_while_sabotaged(admin, steady, "retention.ms", "3600000", window_seconds)
            gaps = [round(later - earlier, 1) for earlier, later in pairwise(corrected)]
            assert len(corrected) >= 3 and max(gaps) <= longest_gap, (
                f"drift on the healthy connection was corrected {len(corrected)} times in "
                f"{window_seconds} s, {gaps} s apart: the drift sweep waits for the unreachable broker"
            )
    finally:
        remove_topics(admin, [steady])


def test_wrong_sasl_password_stalls_until_the_secret_is_fixed(
    cluster: Cluster, testbed: RunningTestbed
) -> None:
    topic, admin = unique_topic(), shared_admin(testbed)
    cluster.put_secret("wrong-credentials", {"kafka-password": f"wrong-{uuid.uuid4().hex}"})
    try:
        on_own_connection(cluster, "badauth", "wrong-credentials", topic, partitions=2)
        status = wait_ready_reason(cluster, "badauth", {"InfraAuthenticationError"})
        assert_last_error(status, "InfraAuthenticationError")
        assert condition_status(cluster, "badauth", "Stalled") == "True"
        assert topic_partitions(admin, topic) is None

        cluster.put_secret("wrong-credentials", {"kafka-password": testbed.env["ONEX_KAFKA_SASL_PASSWORD"]})
        cluster.wait_condition(PLURAL, "badauth", status="True", reason="Reconciled", timeout=FAILURE_TIMEOUT)
        assert topic_partitions(admin, topic) == 2
        assert condition_status(cluster, "badauth", "Stalled") == "False"
    finally:
        remove_topics(admin, [topic])


def test_missing_secret_then_missing_key_then_ready(cluster: Cluster, testbed: RunningTestbed) -> None:
    topic, admin = unique_topic(), shared_admin(testbed)
    try:
        on_own_connection(cluster, "late", "late-credentials", topic, partitions=1)
        status = wait_ready_reason(cluster, "late", {"SecretResolutionError"})
        assert_last_error(status, "SecretResolutionError")
        assert "late-credentials" in str(status["lastError"])
        assert condition_status(cluster, "late", "Stalled") == "False"
        assert condition_status(cluster, "late", "Reconciling") == "True"

        cluster.put_secret("late-credentials", {"another-key": "irrelevant"})
        wait_until(
            lambda: "kafka-password" in str(status_of(cluster, "late").get("lastError")),
            FAILURE_TIMEOUT,
            lambda: f"a Secret without the key is not reported as such: {status_of(cluster, 'late')}",
        )
        status = wait_ready_reason(cluster, "late", {"SecretResolutionError"})
        assert_last_error(status, "SecretResolutionError")

        cluster.put_secret("late-credentials", {"kafka-password": testbed.env["ONEX_KAFKA_SASL_PASSWORD"]})
        cluster.wait_condition(PLURAL, "late", status="True", reason="Reconciled", timeout=FAILURE_TIMEOUT)
        assert topic_partitions(admin, topic) == 1
    finally:
        remove_topics(admin, [topic])


def test_secret_reference_never_leaves_the_resource_namespace(
    cluster: Cluster, testbed: RunningTestbed
) -> None:
    """An InfraConnection whose Secret reference names another namespace: the apiserver either
    refuses the field or drops it; the operator never reads the other namespace's Secret."""
    other = f"onex-secrets-{uuid.uuid4().hex[:8]}"
    cluster.core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=other)))
    topic = unique_topic()
    try:
        Cluster(api=cluster.api, namespace=other, testbed=testbed).put_secret(
            "elsewhere", {"kafka-password": testbed.env["ONEX_KAFKA_SASL_PASSWORD"]}
        )
        connection = kafka_connection(testbed, "elsewhere")
        connection["kafka"]["sasl"]["passwordSecretRef"]["namespace"] = other  # type: ignore[index]
        try:
            cluster.apply("infraconnections", "InfraConnection", "elsewhere", connection)
        except ApiException as refused:
            assert refused.status in {400, 422}, refused
            return
        stored = (cluster.get("infraconnections", "elsewhere") or {}).get("spec")
        assert "namespace" not in json.dumps(stored), f"the apiserver kept the field: {stored}"
        cluster.apply(PLURAL, KIND, "elsewhere", {"topicName": topic, "partitions": 1, **uses("elsewhere")})
        status = wait_ready_reason(cluster, "elsewhere", {"SecretResolutionError"})
        assert_last_error(status, "SecretResolutionError")
        assert topic_partitions(shared_admin(testbed), topic) is None
    finally:
        cluster.core.delete_namespace(other)


def test_cluster_connection_reads_secrets_only_from_the_resource_namespace(
    cluster: Cluster, testbed: RunningTestbed
) -> None:
    objects = cluster.objects
    other = f"onex-secrets-{uuid.uuid4().hex[:8]}"
    shared_name, closed_name = f"e2e-shared-{uuid.uuid4().hex[:8]}", f"e2e-closed-{uuid.uuid4().hex[:8]}"
    topic = unique_topic()
    admin = shared_admin(testbed)

    def cluster_connection(name: str, allowed: list[str]) -> None:
        body = {
            "apiVersion": f"{GROUP}/{VERSION}",
            "kind": "ClusterInfraConnection",
            "metadata": {"name": name},
            "spec": {**kafka_connection(testbed, "cluster-credentials"), "allowedNamespaces": allowed},
        }
        objects.create_cluster_custom_object(GROUP, VERSION, "clusterinfraconnections", body)

    cluster.core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=other)))
    try:
        password = testbed.env["ONEX_KAFKA_SASL_PASSWORD"]
        Cluster(api=cluster.api, namespace=other, testbed=testbed).put_secret(
            "cluster-credentials", {"kafka-password": password}
        )
        cluster_connection(shared_name, [cluster.namespace])
        cluster_connection(closed_name, [f"not-{cluster.namespace}"])
        cluster.apply(
            PLURAL,
            KIND,
            "shared",
            {"topicName": topic, "partitions": 1, **uses(shared_name, "ClusterInfraConnection")},
        )
        cluster.apply(
            PLURAL,
            KIND,
            "closed",
            {"topicName": unique_topic(), "partitions": 1, **uses(closed_name, "ClusterInfraConnection")},
        )

        status = wait_ready_reason(cluster, "shared", {"SecretResolutionError"})
        assert_last_error(status, "SecretResolutionError")
        last_error = status["lastError"]
        assert isinstance(last_error, dict)
        assert cluster.namespace in str(last_error.get("target")), last_error
        assert other not in json.dumps(status), status
        assert topic_partitions(admin, topic) is None

        status = wait_ready_reason(cluster, "closed", {"ProtocolConfigurationError"})
        assert_last_error(status, "ProtocolConfigurationError", retryable=False)
        assert condition_status(cluster, "closed", "Stalled") == "True"
        assert "allowedNamespaces" in str(status["lastError"])

        # the same connection works once the Secret exists where the resource lives
        cluster.put_secret("cluster-credentials", {"kafka-password": password})
        cluster.wait_condition(PLURAL, "shared", status="True", reason="Reconciled", timeout=FAILURE_TIMEOUT)
        assert topic_partitions(admin, topic) == 1
    finally:
        for name in (shared_name, closed_name):
            try:
                objects.delete_cluster_custom_object(GROUP, VERSION, "clusterinfraconnections", name)
            except ApiException as error:
                if error.status != 404:
                    raise
        cluster.core.delete_namespace(other)
        remove_topics(admin, [topic])


def test_canary_secrets_never_leave_the_operator(
    cluster: Cluster, testbed: RunningTestbed, operator: OperatorProcess
) -> None:
    """The test-bed's real SASL password (random) opens Kafka for one resource; a recognisable wrong
    one is refused for another. Neither may appear anywhere the operator writes or serves."""
    real = testbed.env["ONEX_KAFKA_SASL_PASSWORD"]
    canary = f"canary-{uuid.uuid4().hex}-P@ss:w0rd/+%"
    good, bad = unique_topic(), unique_topic()
    admin = shared_admin(testbed)
    cluster.put_secret("canary-credentials", {"kafka-password": canary})
    cluster.apply(
        "infraconnections", "InfraConnection", "canary", kafka_connection(testbed, "canary-credentials")
    )
    try:
        cluster.apply(PLURAL, KIND, "good", {"topicName": good, "partitions": 1})
        cluster.apply(PLURAL, KIND, "bad", {"topicName": bad, "partitions": 1, **uses("canary")})
        cluster.wait_condition(PLURAL, "good", status="True", reason="Reconciled")
        wait_ready_reason(cluster, "bad", {"InfraAuthenticationError"})
        # every log line of a reconcile carries its correlation id: the refused one has been logged
        refused = status_of(cluster, "bad").get("lastError") or {}
        wait_until(
            lambda: str(refused.get("correlationId")) in operator.log(),
            30,
            lambda: f"the refused reconcile ({refused}) never reached the log",
        )

        events = cluster.core.list_namespaced_event(cluster.namespace).items
        custom = [
            *cluster.objects.list_namespaced_custom_object(GROUP, VERSION, cluster.namespace, PLURAL)[
                "items"
            ],
            *cluster.objects.list_namespaced_custom_object(
                GROUP, VERSION, cluster.namespace, "infraconnections"
            )["items"],
        ]
        haystacks = {
            "operator log": operator.log(),
            "Events": json.dumps([event.to_dict() for event in events], default=str),
            "status": json.dumps([item.get("status") for item in custom]),
            "/metrics": operator.get("/metrics")[1],
            "/services": operator.get("/services")[1],
            "/nodes": operator.get("/nodes")[1],
        }
        assert any(event.reason == "InfraAuthenticationError" for event in events), "no Event to inspect"
        leaks = [
            f"{label} holds the {which}"
            for which, secret in (("real password", real), ("canary", canary))
            for form in {secret, quote(secret, safe="")}
            for label, text in haystacks.items()
            if form in text
        ]
        assert not leaks, leaks
    finally:
        remove_topics(admin, [good, bad])
