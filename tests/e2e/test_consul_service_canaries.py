"""Consul ACL tokens never leave the operator: the working token and a refused one appear in no
status, Event, line of the operator's log (debug level included) or anything its hub serves."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from kubernetes import client
from kubernetes.client import ApiClient

from tests.conftest import RunningTestbed
from tests.e2e.conftest import Cluster, make_cluster, release_namespace, running_operator
from tests.e2e.consul_helpers import (
    KIND,
    PLURAL,
    TOKEN_KEY,
    Consul,
    ConsulScope,
    apply_retrying,
    consul_fixture,  # noqa: F401 - fixture
    consul_scope_fixture,  # noqa: F401 - fixture
    service_spec,
    status_of,
    use_consul,
    wait_ready,
    wait_ready_reason,
)

pytestmark = pytest.mark.e2e
PREFIX = "e2e-ccan-"


@pytest.fixture
def canary_cluster(api: ApiClient, testbed: RunningTestbed, consul_scope: ConsulScope) -> Iterator[Cluster]:
    """A namespace only this test's own operator watches (cleaned up without one)."""
    cluster = make_cluster(api, testbed, PREFIX)
    try:
        yield cluster
    finally:
        objects = client.CustomObjectsApi(api)
        for item in objects.list_namespaced_custom_object(
            "infra.onex.dev", "v1alpha1", cluster.namespace, PLURAL
        )["items"]:
            objects.patch_namespaced_custom_object(
                "infra.onex.dev",
                "v1alpha1",
                cluster.namespace,
                PLURAL,
                item["metadata"]["name"],
                {"metadata": {"finalizers": []}},
            )
        release_namespace(api, cluster.namespace)


def forms(value: str) -> set[str]:
    """The value as it could appear: plain, JSON-escaped, URL-encoded."""
    return {value, json.dumps(value)[1:-1], quote(value, safe="")}


def test_consul_tokens_never_leave_the_operator(
    canary_cluster: Cluster,
    consul_scope: ConsulScope,
    consul: Consul,
    testbed: RunningTestbed,
    tmp_path: Path,
) -> None:
    cluster = canary_cluster
    working = consul_scope.token  # a uuid of this test's own: nobody else could print it
    refused = str(uuid.uuid4())  # unknown to Consul: "ACL not found"
    use_consul(cluster, consul, working)
    cluster.put_secret("refused-credentials", {TOKEN_KEY: refused})
    apply_retrying(
        cluster,
        "infraconnections",
        "InfraConnection",
        "refused",
        {
            "consul": {
                "address": consul.address,
                "tokenSecretRef": {"name": "refused-credentials", "key": TOKEN_KEY},
            }
        },
    )
    with running_operator(
        testbed, tmp_path, cluster.namespace, "3s", "2s", extra_args=["--verbose"]
    ) as operator:
        checks = [{"name": "heartbeat", "ttl": "1m"}]
        cluster.apply(PLURAL, KIND, "fine", service_spec(consul_scope.name("fine"), checks=checks))
        # outside the token's service prefix: Consul's 403 names the token by its accessor id only
        cluster.apply(PLURAL, KIND, "denied", service_spec(f"other-{uuid.uuid4().hex[:6]}"))
        cluster.apply(
            PLURAL,
            KIND,
            "unknown",
            service_spec(consul_scope.name("unknown"), connectionRef={"name": "refused"}),
        )
        wait_ready(cluster, "fine")
        wait_ready_reason(cluster, "denied", "InfraAuthenticationError")
        wait_ready_reason(cluster, "unknown", "InfraAuthenticationError")
        cluster.delete(PLURAL, "fine")  # the deregistration path too
        cluster.wait_gone(PLURAL, "fine")
        hub = {
            path: operator.get(path)[1] for path in ("/metrics", "/healthz", "/readyz", "/nodes", "/services")
        }
        log = operator.log()
    statuses = {name: json.dumps(status_of(cluster, name)) for name in ("denied", "unknown")}
    events = "\n".join(
        f"{e.reason} {e.message}" for e in cluster.core.list_namespaced_event(cluster.namespace).items
    )
    assert "InfraAuthenticationError" in events
    assert "consul" in hub["/metrics"]
    assert "ConsulService" in log
    places = {"log": log, "events": events, **statuses, **hub}
    for token in (working, refused):
        for form in forms(token):
            for place, text in places.items():
                assert form not in text, f"a Consul token appears in {place}"
