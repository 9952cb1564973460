"""`onex-infra plan` for ConsulServices against the test-bed's real Consul agent (ACLs on, default
deny) and kube-apiserver: a registration, a foreign registration as a conflict and, adopted, its
changes by field name, ownership from the live resource's uid, the immutable serviceId, no token or
meta value in any output, and nothing written to Consul or Kubernetes.

The plan's connection carries a token that may only read the test's services: a plan that tried to
register or deregister anything would be refused by Consul."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from tests.conftest import RunningTestbed
from tests.e2e.consul_helpers import (
    Consul,
    ConsulScope,
    consul_fixture,  # noqa: F401 - fixture
    consul_scope_fixture,  # noqa: F401 - fixture
    read_rules,
)
from tests.integration.test_plan_cli import (
    API_VERSION,
    Namespace,
    Plan,
    _plan,
    _write,
)
from tests.integration.test_plan_cli import namespace as namespace_fixture  # noqa: F401 - fixture

pytestmark = pytest.mark.integration

TOKEN_KEY = "consul-token"


def _connection(consul: Consul) -> dict[str, object]:
    consul_section = {"address": consul.address, "tokenSecretRef": {"name": "creds", "key": TOKEN_KEY}}
    return {
        "apiVersion": API_VERSION,
        "kind": "InfraConnection",
        "metadata": {"name": "services"},
        "spec": {"consul": consul_section},
    }


def _token_secret(token: str) -> dict[str, object]:
    data = {TOKEN_KEY: base64.b64encode(token.encode()).decode()}
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds"}, "data": data}


def _service(service_id: str, meta_value: str, **spec: object) -> dict[str, object]:
    return {
        "apiVersion": API_VERSION,
        "kind": "ConsulService",
        "metadata": {"name": "web"},
        "spec": {
            "serviceName": service_id,
            "serviceId": service_id,
            "address": "127.0.0.1",
            "port": 8080,
            "meta": {"team": meta_value},
            "checks": [{"name": "alive", "ttl": "30s"}],
            "connectionRef": {"name": "services"},
            **spec,
        },
    }


def _state(consul: Consul, prefix: str) -> dict[str, object]:
    """Everything a write would change: each service under `prefix` as the agent holds it."""
    return {service_id: consul.service(service_id) for service_id in consul.services(prefix)}


def _resource_versions(namespace: Namespace) -> str:
    return namespace.kubectl(
        "get", "-n", namespace.name, "consulservices,infraconnections,secrets", "-o",
        "jsonpath={range .items[*]}{.kind}/{.metadata.name}={.metadata.resourceVersion} {end}",
    )  # fmt: skip


def test_consul_service_plan_against_consul(
    testbed: RunningTestbed,
    consul: Consul,
    consul_scope: ConsulScope,
    namespace_fixture: Namespace,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    namespace = namespace_fixture
    ns, prefix = namespace.name, consul_scope.prefix
    service_id = consul_scope.name("web")
    read_token = consul_scope.token_with(read_rules(prefix))
    in_spec, in_consul = (f"{what}-canary-{prefix}" for what in ("spec", "consul"))
    namespace.apply(_token_secret(read_token), _connection(consul))
    outputs: list[Plan] = []
    where = f"{tmp_path / 'plan.yaml'}, document 0"
    head = f"ConsulService {ns}/web -> service id {service_id} on {ns}/services  [{where}]"

    def plan(*documents: dict[str, object], output: str = "text") -> Plan:
        result = _plan(testbed, "-f", _write(tmp_path / "plan.yaml", *documents), "-n", ns, "-o", output)
        outputs.append(result)
        return result

    versions = _resource_versions(namespace)

    # nothing registered: the service is registered with its check
    fresh = plan(_service(service_id, in_spec))
    assert fresh.code == 2, fresh.out
    assert f"+ {head}\n    + service {service_id} (1 check)\n" in fresh.out
    assert fresh.out.rstrip().endswith("Plan: 1 to create, 0 to change, 0 in sync. Nothing was written.")
    assert _state(consul, prefix) == {}

    # registered behind the operator's back, without its meta: not this resource's
    consul.register(
        {
            "ID": service_id,
            "Name": service_id,
            "Address": "127.0.0.1",
            "Port": 9000,
            "Meta": {"team": in_consul},
        }
    )
    before = _state(consul, prefix)
    conflict = plan(_service(service_id, in_spec))
    assert conflict.code == 1, conflict.out
    assert (
        f"! {head}\n"
        f"    ! conflict: service id {service_id} is already registered in Consul, not by this operator "
        "(no managed-by: onex-infra-operator in its meta); set spec.adopt: true to manage it\n"
        f"      ownership: ConsulService {ns}/web is not in the cluster, so no uid can show that this "
        "resource registered the service\n"
    ) in conflict.out
    assert "note: a file has no uid: an existing registration counts as a resource's own only" in conflict.out

    adopted = plan(_service(service_id, in_spec, adopt=True))
    assert adopted.code == 2, adopted.out
    assert (
        f"~ {head}\n"
        "    ~ port 9000 -> 8080\n"
        "    ~ meta managed-by (missing)\n"
        "    ~ meta owner-uid (missing)\n"
        "    ~ meta team (value differs)\n"
        "    + check alive\n"
    ) in adopted.out
    as_json = json.loads(plan(_service(service_id, in_spec, adopt=True), output="json").out)
    (resource,) = as_json["resources"]
    assert (resource["kind"], resource["verdict"], resource["creates"]) == ("ConsulService", "changes", False)
    assert {
        "kind": "update",
        "service_id": service_id,
        "field": "port",
        "old": "9000",
        "new": "8080",
        "detail": "",
    } in resource["changes"]
    assert resource["ownership"] == "spec.adopt is true: the existing registration is taken over"
    assert _state(consul, prefix) == before

    # the cluster has the resource: a registration whose meta names its uid is its own
    namespace.apply(_service(service_id, in_spec))
    uid = namespace.kubectl("get", "-n", ns, "consulservice", "web", "-o", "jsonpath={.metadata.uid}")
    meta = {"team": in_consul, "managed-by": "onex-infra-operator", "owner-uid": uid}
    consul.register(
        {"ID": service_id, "Name": service_id, "Address": "127.0.0.1", "Port": 8080, "Meta": meta}
    )
    before, versions = _state(consul, prefix), _resource_versions(namespace)
    owned = plan(_service(service_id, in_spec), output="json")
    (resource,) = json.loads(owned.out)["resources"]
    assert resource["verdict"] == "changes", owned.out
    assert resource["ownership"] == f"its meta names the live ConsulService {ns}/web (owner-uid {uid})"
    assert resource["descriptions"] == ["~ meta team (value differs)", "+ check alive"]

    # serviceId is immutable (a CEL rule): a file that changes it is refused before Consul is asked
    other = consul_scope.name("other")
    refused = plan(_service(other, in_spec))
    assert refused.code == 1, refused.out
    assert (
        f"    ! refuse: serviceId is immutable: ConsulService {ns}/web manages service id {service_id}, the "
        f"file has serviceId {other}; create a new ConsulService for another service id\n"
    ) in refused.out

    # nothing was written: not to Consul, not to Kubernetes
    assert _state(consul, prefix) == before
    assert consul.service(other) is None
    assert _resource_versions(namespace) == versions

    # no token and no meta value in any output, nor hidden by the sanitizer: the plan never held one
    for result in outputs:
        for canary in (read_token, consul.token, in_spec, in_consul):
            assert canary not in result.out + result.err
        assert "***" not in result.out
