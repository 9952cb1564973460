"""ConsulService failures classified by the taxonomy: a token without service:write, a missing token
Secret, a check Consul rejects, and an agent nobody listens for."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import GROUP, VERSION, Cluster, free_port, kafka_connection
from tests.e2e.consul_helpers import (
    KIND,
    PLURAL,
    TOKEN_KEY,
    Consul,
    ConsulScope,
    apply_retrying,
    consul_cluster_fixture,  # noqa: F401 - fixture
    consul_fixture,  # noqa: F401 - fixture
    consul_scope_fixture,  # noqa: F401 - fixture
    read_rules,
    service_spec,
    use_consul,
    wait_event,
    wait_ready,
    wait_ready_reason,
)

ABANDON = "infra.onex.dev/abandon"

pytestmark = pytest.mark.e2e


def consul_connection(cluster: Cluster, name: str, address: str, secret: str) -> None:
    apply_retrying(
        cluster,
        "infraconnections",
        "InfraConnection",
        name,
        {
            **kafka_connection(cluster.testbed),
            "consul": {"address": address, "tokenSecretRef": {"name": secret, "key": TOKEN_KEY}},
        },
    )


def test_token_with_only_service_read_is_an_authentication_error(
    consul_scope: ConsulScope, consul_cluster: Cluster, consul: Consul
) -> None:
    cluster, service = consul_cluster, consul_scope.name("ro")
    use_consul(
        cluster, consul, consul_scope.token_with(read_rules(consul_scope.prefix)), connection="readonly"
    )
    cluster.apply(PLURAL, KIND, "ro", service_spec(service, connectionRef={"name": "readonly"}))
    status = wait_ready_reason(cluster, "ro", "InfraAuthenticationError")
    last_error = status["lastError"]
    assert isinstance(last_error, dict)
    assert last_error["operation"] == "register_service"
    assert "service:write" in str(last_error["message"]), last_error
    assert (cluster.condition(PLURAL, "ro", "Stalled") or {}).get("status") == "True"
    assert consul.service(f"{cluster.namespace}-ro") is None


def test_missing_token_secret_is_a_secret_resolution_error(
    consul_scope: ConsulScope, consul_cluster: Cluster, consul: Consul
) -> None:
    cluster, service = consul_cluster, consul_scope.name("nosecret")
    consul_connection(cluster, "nosecret", consul.address, "absent-secret")
    cluster.apply(PLURAL, KIND, "nosecret", service_spec(service, connectionRef={"name": "nosecret"}))
    status = wait_ready_reason(cluster, "nosecret", "SecretResolutionError")
    assert "absent-secret" in str(status["lastError"])
    # the Secret appears: the retry finds it
    cluster.put_secret("absent-secret", {TOKEN_KEY: consul_scope.token})
    wait_ready(cluster, "nosecret")


def test_check_rejected_by_consul_is_a_configuration_error_with_its_reason(
    consul_scope: ConsulScope, consul_cluster: Cluster, consul: Consul
) -> None:
    cluster, service = consul_cluster, consul_scope.name("badcheck")
    checks = [{"name": "never", "http": "http://127.0.0.1:9/", "interval": "0s"}]
    cluster.apply(PLURAL, KIND, "badcheck", service_spec(service, checks=checks))
    status = wait_ready_reason(cluster, "badcheck", "ProtocolConfigurationError")
    assert "Interval must be > 0" in str(status["lastError"]), status["lastError"]
    assert (cluster.condition(PLURAL, "badcheck", "Stalled") or {}).get("status") == "True"
    assert consul.service(f"{cluster.namespace}-badcheck") is None
    # a corrected spec registers it
    checks = [{"name": "never", "http": "http://127.0.0.1:9/", "interval": "30s"}]
    cluster.apply(PLURAL, KIND, "badcheck", service_spec(service, checks=checks))
    wait_ready(cluster, "badcheck")


def test_unreachable_agent_is_a_connection_error_and_never_blocks_deletion_for_good(
    consul_scope: ConsulScope, consul_cluster: Cluster
) -> None:
    cluster, service = consul_cluster, consul_scope.name("down")
    consul_connection(cluster, "down", f"http://127.0.0.1:{free_port()}", "consul-credentials")
    cluster.apply(PLURAL, KIND, "down", service_spec(service, connectionRef={"name": "down"}))
    status = wait_ready_reason(cluster, "down", "InfraConnectionError")
    assert isinstance(status["lastError"], dict)
    assert status["lastError"]["retryable"] is True
    # deletionPolicy Delete with the agent gone: the deletion waits, says why, and the abandon
    # annotation releases the resource
    cluster.delete(PLURAL, "down")
    blocked = wait_event(cluster, "down", "DeletionBlocked")
    assert "InfraConnectionError" in blocked[0][1]
    assert cluster.get(PLURAL, "down") is not None
    cluster.objects.patch_namespaced_custom_object(
        GROUP, VERSION, cluster.namespace, PLURAL, "down", {"metadata": {"annotations": {ABANDON: "true"}}}
    )
    cluster.wait_gone(PLURAL, "down")
