"""What the ConsulService end-to-end tests share: the test-bed's Consul agent read and written
directly (as its management token, to check what the operator did and to change things behind its
back), ACL tokens of a test's own, and consul InfraConnections.

The Consul agent is shared with other tests and sessions: every name a test registers starts with
its own prefix, and everything under that prefix (services, its token and policy) is removed after
the test.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from kubernetes.client.exceptions import ApiException

from tests.conftest import RunningTestbed
from tests.e2e.conftest import Cluster, kafka_connection, wait_until

PLURAL, KIND = "consulservices", "ConsulService"
MANAGED_BY = "onex-infra-operator"
TOKEN_SECRET, TOKEN_KEY = "consul-credentials", "consul-token"


@dataclass
class Consul:
    """The agent's HTTP API as the test-bed's management token."""

    address: str
    token: str = field(repr=False)
    _session: requests.Session = field(default_factory=requests.Session, repr=False)

    def call(
        self, method: str, path: str, body: object = None, token: str | None = None
    ) -> requests.Response:
        headers = {"X-Consul-Token": token if token is not None else self.token}
        return self._session.request(method, f"{self.address}{path}", json=body, headers=headers, timeout=10)

    def _ok(self, method: str, path: str, body: object = None) -> object:
        answer = self.call(method, path, body)
        assert answer.ok, f"Consul {method} {path}: HTTP {answer.status_code} {answer.text[:300]}"
        return answer.json() if answer.content else None

    # -- services and checks -------------------------------------------------------------------------

    def service(self, service_id: str) -> dict[str, object] | None:
        answer = self.call("GET", f"/v1/agent/service/{service_id}")
        if answer.status_code == 404:
            return None
        assert answer.ok, answer.text
        found: dict[str, object] = answer.json()
        return found

    def services(self, prefix: str) -> list[str]:
        listed = self._ok("GET", "/v1/agent/services")
        return sorted(key for key in (listed if isinstance(listed, dict) else {}) if key.startswith(prefix))

    def checks(self, service_id: str) -> dict[str, dict[str, object]]:
        """The service's checks by name."""
        listed = self._ok("GET", "/v1/agent/checks")
        found = listed if isinstance(listed, dict) else {}
        return {str(c["Name"]): dict(c) for c in found.values() if c.get("ServiceID") == service_id}

    def register(self, body: dict[str, object]) -> None:
        """Register behind the operator's back (replacing the service's checks too)."""
        self._ok("PUT", "/v1/agent/service/register?replace-existing-checks=true", body)

    def deregister(self, service_id: str) -> None:
        answer = self.call("PUT", f"/v1/agent/service/deregister/{service_id}")
        assert answer.ok or answer.status_code == 404, answer.text

    def pass_ttl(self, check_id: str) -> None:
        self._ok("PUT", f"/v1/agent/check/pass/{check_id}")

    # -- ACL --------------------------------------------------------------------------------------------

    def token_for(self, name: str, rules: str) -> tuple[str, str]:
        """A policy with `rules` and a token with only that policy: (secret id, accessor id)."""
        policy = self._ok("PUT", "/v1/acl/policy", {"Name": name, "Rules": rules})
        assert isinstance(policy, dict)
        secret = str(uuid.uuid4())
        token = self._ok("PUT", "/v1/acl/token", {"SecretID": secret, "Policies": [{"ID": policy["ID"]}]})
        assert isinstance(token, dict)
        return secret, str(token["AccessorID"])

    def remove_acl(self, name: str, accessor: str) -> None:
        """The token and the policy; gone already (an agent restart) is fine."""
        self.call("DELETE", f"/v1/acl/token/{accessor}")
        policy = self.call("GET", f"/v1/acl/policy/name/{name}")
        if policy.ok:
            self.call("DELETE", f"/v1/acl/policy/{policy.json()['ID']}")


def consul_of(testbed: RunningTestbed) -> Consul:
    return Consul(address=testbed.env["CONSUL_HTTP_ADDR"], token=testbed.env["CONSUL_HTTP_TOKEN"])


def write_rules(prefix: str) -> str:
    return f'service_prefix "{prefix}" {{ policy = "write" }}'


def read_rules(prefix: str) -> str:
    return f'service_prefix "{prefix}" {{ policy = "read" }}'


@dataclass
class ConsulScope:
    """A test's own names and token: services `<prefix>...`, a token that may write only those."""

    consul: Consul
    prefix: str
    token: str = field(repr=False)
    accessor: str = ""
    acls: list[tuple[str, str]] = field(default_factory=list)

    def name(self, suffix: str = "") -> str:
        return f"{self.prefix}{suffix or uuid.uuid4().hex[:6]}"

    def token_with(self, rules: str) -> str:
        name = f"{self.prefix}{uuid.uuid4().hex[:6]}"
        secret, accessor = self.consul.token_for(name, rules)
        self.acls.append((name, accessor))
        return secret


@pytest.fixture(name="consul")
def consul_fixture(testbed: RunningTestbed) -> Consul:
    return consul_of(testbed)


@pytest.fixture(name="consul_scope")
def consul_scope_fixture(consul: Consul) -> Iterator[ConsulScope]:
    """Requested before `cluster`, so it is cleaned up after the namespace is gone."""
    prefix = f"e2e-cs-{uuid.uuid4().hex[:6]}-"
    scope = ConsulScope(consul=consul, prefix=prefix, token="")
    scope.token = scope.token_with(write_rules(prefix))
    yield scope
    for service_id in consul.services(prefix):
        consul.deregister(service_id)
    for name, accessor in scope.acls:
        consul.remove_acl(name, accessor)


@pytest.fixture(name="consul_cluster")
def consul_cluster_fixture(consul_scope: ConsulScope, cluster: Cluster) -> Cluster:
    """Import the three fixtures by their *_fixture names; tests request them as consul,
    consul_scope and consul_cluster.

    `cluster` whose `default` InfraConnection also has a consul section with the scope's token."""
    use_consul(cluster, consul_scope.consul, consul_scope.token)
    return cluster


def use_consul(cluster: Cluster, consul: Consul, token: str, connection: str = "default") -> None:
    """The InfraConnection `connection` gets a consul section (the kafka section stays), the token
    read from the Secret `consul-credentials`."""
    cluster.put_secret(TOKEN_SECRET, {TOKEN_KEY: token})
    spec = {
        **kafka_connection(cluster.testbed),
        "consul": {"address": consul.address, "tokenSecretRef": {"name": TOKEN_SECRET, "key": TOKEN_KEY}},
    }
    apply_retrying(cluster, "infraconnections", "InfraConnection", connection, spec)


def apply_retrying(cluster: Cluster, plural: str, kind: str, name: str, spec: dict[str, object]) -> None:
    """Cluster.apply, again when the operator wrote the object in between (its status, finalizers)."""
    for _ in range(5):
        try:
            cluster.apply(plural, kind, name, spec)
            return
        except ApiException as error:
            if error.status != 409:
                raise
    cluster.apply(plural, kind, name, spec)


# -- resources ------------------------------------------------------------------------------------------


def service_spec(service_name: str, port: int = 8080, **extra: object) -> dict[str, object]:
    return {"serviceName": service_name, "address": "127.0.0.1", "port": port, **extra}


def status_of(cluster: Cluster, name: str) -> dict[str, object]:
    status = (cluster.get(PLURAL, name) or {}).get("status")
    return status if isinstance(status, dict) else {}


def uid_of(cluster: Cluster, name: str) -> str:
    body = cluster.get(PLURAL, name) or {}
    return str(body["metadata"]["uid"])  # type: ignore[index]


def wait_ready(cluster: Cluster, name: str, timeout: float = 60) -> dict[str, object]:
    found = cluster.wait_condition(PLURAL, name, status="True", timeout=timeout)["status"]
    assert isinstance(found, dict)
    return found


def wait_ready_reason(cluster: Cluster, name: str, reason: str, timeout: float = 60) -> dict[str, object]:
    """Ready=False with `reason` for the current generation; the status then."""
    found = cluster.wait_condition(PLURAL, name, status="False", reason=reason, timeout=timeout)["status"]
    assert isinstance(found, dict)
    return found


def events(cluster: Cluster, name: str, reason: str | None = None) -> list[tuple[str, str]]:
    return [
        (event.reason or "", event.message or "")
        for event in cluster.events(name)
        if reason is None or event.reason == reason
    ]


def wait_event(cluster: Cluster, name: str, reason: str, timeout: float = 30) -> list[tuple[str, str]]:
    wait_until(
        lambda: bool(events(cluster, name, reason)),
        timeout,
        lambda: f"no {reason} Event for {name}: {events(cluster, name)}",
    )
    return events(cluster, name, reason)


def wait_registered(consul: Consul, service_id: str, timeout: float = 30) -> dict[str, object]:
    wait_until(lambda: consul.service(service_id) is not None, timeout, f"{service_id} never registered")
    found = consul.service(service_id)
    assert found is not None
    return found


def meta_of(registration: dict[str, object]) -> dict[str, str]:
    meta = registration.get("Meta")
    return {str(k): str(v) for k, v in meta.items()} if isinstance(meta, dict) else {}


class _Ok(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        return None


class Listener:
    """A port the test listens on, answering HTTP 200 (an http check's and a tcp check's target);
    closed, both checks turn critical."""

    def __init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/healthz"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


@contextmanager
def listening() -> Iterator[Listener]:
    listener = Listener()
    try:
        yield listener
    finally:
        listener.close()
