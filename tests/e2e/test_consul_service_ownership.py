"""Whose a registration is: a foreign registration is reported and untouched unless adopt, and of
two ConsulServices naming one service id the newer is ResourceConflict."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Cluster, wait_until
from tests.e2e.consul_helpers import (
    KIND,
    MANAGED_BY,
    PLURAL,
    Consul,
    ConsulScope,
    consul_cluster_fixture,  # noqa: F401 - fixture
    consul_fixture,  # noqa: F401 - fixture
    consul_scope_fixture,  # noqa: F401 - fixture
    meta_of,
    service_spec,
    uid_of,
    wait_event,
    wait_ready,
    wait_ready_reason,
    wait_registered,
)

pytestmark = pytest.mark.e2e


def test_foreign_registration_is_untouched_until_adopted(
    consul_scope: ConsulScope, consul_cluster: Cluster, consul: Consul
) -> None:
    cluster, service = consul_cluster, consul_scope.name("legacy")
    service_id = consul_scope.name("legacy-1")
    foreign = {"ID": service_id, "Name": service, "Port": 7000, "Meta": {"owner": "team-x"}}
    consul.register(foreign)
    before = wait_registered(consul, service_id)

    cluster.apply(PLURAL, KIND, "legacy", service_spec(service, port=8080, serviceId=service_id))
    status = wait_ready_reason(cluster, "legacy", "ResourceConflict")
    condition = cluster.condition(PLURAL, "legacy") or {}
    assert "adopt" in str(condition.get("message")), condition
    assert status.get("registered") is not True
    wait_event(cluster, "legacy", "ResourceConflict")
    assert consul.service(service_id) == before

    # deleting a resource that never owned it leaves it alone
    cluster.apply(PLURAL, KIND, "legacy", service_spec(service, port=8080, serviceId=service_id, adopt=True))
    wait_ready(cluster, "legacy")
    adopted = consul.service(service_id) or {}
    assert adopted["Port"] == 8080
    assert meta_of(adopted) == {"managed-by": MANAGED_BY, "owner-uid": uid_of(cluster, "legacy")}


def test_foreign_registration_survives_deletion_of_the_conflicting_resource(
    consul_scope: ConsulScope, consul_cluster: Cluster, consul: Consul
) -> None:
    cluster, service = consul_cluster, consul_scope.name("kept")
    service_id = consul_scope.name("kept-1")
    consul.register({"ID": service_id, "Name": service, "Port": 7000})
    before = wait_registered(consul, service_id)
    cluster.apply(PLURAL, KIND, "kept", service_spec(service, serviceId=service_id))  # deletionPolicy Delete
    wait_ready_reason(cluster, "kept", "ResourceConflict")
    cluster.delete(PLURAL, "kept")
    cluster.wait_gone(PLURAL, "kept")
    assert consul.service(service_id) == before


def test_two_resources_one_service_id_the_newer_conflicts(
    consul_scope: ConsulScope, consul_cluster: Cluster, consul: Consul
) -> None:
    cluster, service = consul_cluster, consul_scope.name("twin")
    service_id = consul_scope.name("twin-1")
    cluster.apply(PLURAL, KIND, "first", service_spec(service, port=8001, serviceId=service_id))
    wait_ready(cluster, "first")
    cluster.apply(PLURAL, KIND, "second", service_spec(service, port=8002, serviceId=service_id))
    wait_ready_reason(cluster, "second", "ResourceConflict")
    message = str((cluster.condition(PLURAL, "second") or {}).get("message"))
    assert f"{cluster.namespace}/first" in message, message
    assert (consul.service(service_id) or {})["Port"] == 8001

    # the newer one's deletion (policy Delete) never deregisters the older one's registration
    cluster.delete(PLURAL, "second")
    cluster.wait_gone(PLURAL, "second")
    assert (consul.service(service_id) or {})["Port"] == 8001
    wait_until(
        lambda: meta_of(consul.service(service_id) or {}).get("owner-uid") == uid_of(cluster, "first"),
        10,
        "the registration is no longer the first resource's",
    )
