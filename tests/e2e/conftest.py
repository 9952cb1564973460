"""The operator running as in production (its own process, `python -m onex_operator run`) against
the test-bed, and helpers to drive custom resources and wait for their conditions."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from kubernetes import client, config
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException

from onex_operator.kube.crds import install_crds
from tests.conftest import RunningTestbed

if TYPE_CHECKING:
    from tests.e2e.vault_helpers import Bao

GROUP, VERSION = "infra.onex.dev", "v1alpha1"
REPO = Path(__file__).resolve().parents[2]
# one prefix per pytest session: two sessions on one test-bed never reconcile each other's resources
E2E_NAMESPACE_PREFIX = f"e2e-{uuid.uuid4().hex[:4]}-"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class OperatorProcess:
    process: subprocess.Popen[bytes]
    log_path: Path
    hub_port: int

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.hub_port}{path}", timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def stop(self, kill: bool = False) -> None:
        if self.process.poll() is None:
            if kill:
                self.process.kill()
            else:
                self.process.terminate()
            self.process.wait(timeout=30)


@contextmanager
def running_operator(
    testbed: RunningTestbed,
    log_dir: Path,
    namespace_glob: str,
    drift: str = "4s",
    retry: str = "3s",
    *,
    extra_args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
) -> Iterator[OperatorProcess]:
    """The operator as its own process; `extra_args` are further flags of `onex_operator run`, `env`
    overrides the environment last (e.g. a KUBECONFIG holding only a service account's token)."""
    hub_port = free_port()
    log_path = log_dir / f"operator-{uuid.uuid4().hex[:6]}.log"
    environment = {**os.environ, **testbed.env, **(env or {})}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "onex_operator",
                "run",
                "--namespace",
                namespace_glob,
                "--drift-interval",
                drift,
                "--retry-interval",
                retry,
                "--hub-port",
                str(hub_port),
                *extra_args,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=environment,
        )
    operator = OperatorProcess(process=process, log_path=log_path, hub_port=hub_port)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the operator exited with {process.returncode}:\n{operator.log()}")
        try:
            if operator.get("/readyz")[0] == 200:
                break
        except OSError:
            pass
        time.sleep(0.3)
    else:
        operator.stop(kill=True)
        pytest.fail(f"the operator never became ready:\n{operator.log()}")
    try:
        yield operator
    finally:
        operator.stop()


@pytest.fixture(scope="session")
def api(testbed: RunningTestbed) -> Iterator[ApiClient]:
    api_client = config.new_client_from_config(config_file=str(testbed.kubeconfig))
    install_crds(api_client, REPO / "crds")
    yield api_client
    api_client.close()


@pytest.fixture(scope="session")
def operator(
    testbed: RunningTestbed, api: ApiClient, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OperatorProcess]:
    with running_operator(
        testbed, tmp_path_factory.mktemp("operator"), f"{E2E_NAMESPACE_PREFIX}*"
    ) as process:
        yield process


@dataclass
class Cluster:
    """One test namespace with the test-bed's credentials Secret and a SASL InfraConnection."""

    api: ApiClient
    namespace: str
    testbed: RunningTestbed
    created: list[tuple[str, str]] = field(default_factory=list)

    @property
    def objects(self) -> client.CustomObjectsApi:
        return client.CustomObjectsApi(self.api)

    @property
    def core(self) -> client.CoreV1Api:
        return client.CoreV1Api(self.api)

    def apply(self, plural: str, kind: str, name: str, spec: dict[str, object]) -> dict[str, object]:
        body = {"apiVersion": f"{GROUP}/{VERSION}", "kind": kind, "metadata": {"name": name}, "spec": spec}
        try:
            current = self.objects.get_namespaced_custom_object(GROUP, VERSION, self.namespace, plural, name)
        except ApiException as error:
            if error.status != 404:
                raise
            self.created.append((plural, name))
            return dict(
                self.objects.create_namespaced_custom_object(GROUP, VERSION, self.namespace, plural, body)
            )
        body["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]  # type: ignore[index]
        return dict(
            self.objects.replace_namespaced_custom_object(GROUP, VERSION, self.namespace, plural, name, body)
        )

    def get(self, plural: str, name: str) -> dict[str, object] | None:
        try:
            return dict(
                self.objects.get_namespaced_custom_object(GROUP, VERSION, self.namespace, plural, name)
            )
        except ApiException as error:
            if error.status == 404:
                return None
            raise

    def delete(self, plural: str, name: str) -> None:
        try:
            self.objects.delete_namespaced_custom_object(GROUP, VERSION, self.namespace, plural, name)
        except ApiException as error:
            if error.status != 404:
                raise

    def wait_gone(self, plural: str, name: str, timeout: float = 60) -> None:
        wait_until(lambda: self.get(plural, name) is None, timeout, f"{plural}/{name} was never deleted")

    def condition(self, plural: str, name: str, kind: str = "Ready") -> dict[str, object] | None:
        body = self.get(plural, name) or {}
        status = body.get("status")
        for condition in (status or {}).get("conditions", []) if isinstance(status, dict) else []:
            if condition.get("type") == kind:
                return dict(condition)
        return None

    def wait_condition(
        self,
        plural: str,
        name: str,
        *,
        status: str,
        reason: str | None = None,
        kind: str = "Ready",
        timeout: float = 60,
    ) -> dict[str, object]:
        found: dict[str, object] = {}

        def matches() -> bool:
            nonlocal found
            body = self.get(plural, name) or {}
            # one read: the condition and the status returned must be of the same moment
            raw = body.get("status")
            conditions = raw.get("conditions", []) if isinstance(raw, dict) else []
            condition = next((dict(c) for c in conditions if c.get("type") == kind), {})
            generation = (body.get("metadata") or {}).get("generation")  # type: ignore[union-attr]
            found = {"condition": condition, "status": body.get("status")}
            return (
                condition.get("status") == status
                and (reason is None or condition.get("reason") == reason)
                and condition.get("observedGeneration") == generation
            )

        wait_until(
            matches, timeout, lambda: f"{plural}/{name} never reached {kind}={status} {reason or ''}: {found}"
        )
        return found

    def events(self, name: str) -> list[client.CoreV1Event]:
        selector = f"involvedObject.name={name}"
        return list(self.core.list_namespaced_event(self.namespace, field_selector=selector).items)

    def put_secret(self, name: str, data: dict[str, str]) -> None:
        encoded = {key: base64.b64encode(value.encode()).decode() for key, value in data.items()}
        secret = client.V1Secret(metadata=client.V1ObjectMeta(name=name), data=encoded)
        try:
            self.core.create_namespaced_secret(self.namespace, secret)
        except ApiException as error:
            if error.status != 409:
                raise
            self.core.replace_namespaced_secret(name, self.namespace, secret)


def wait_until(predicate: Callable[[], bool], timeout: float, message: str | Callable[[], str]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    pytest.fail(message() if callable(message) else message)


def kafka_connection(testbed: RunningTestbed, secret: str = "testbed-credentials") -> dict[str, object]:
    return {
        "kafka": {
            "bootstrapServers": [testbed.env["ONEX_KAFKA_SASL_BOOTSTRAP"]],
            "securityProtocol": "SASL_PLAINTEXT",
            "sasl": {
                "mechanism": testbed.env["ONEX_KAFKA_SASL_MECHANISM"],
                "username": testbed.env["ONEX_KAFKA_SASL_USERNAME"],
                "passwordSecretRef": {"name": secret, "key": "kafka-password"},
            },
        }
    }


def make_cluster(api: ApiClient, testbed: RunningTestbed, prefix: str) -> Cluster:
    namespace = f"{prefix}{uuid.uuid4().hex[:8]}"
    core = client.CoreV1Api(api)
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=namespace)))
    cluster = Cluster(api=api, namespace=namespace, testbed=testbed)
    cluster.put_secret("testbed-credentials", {"kafka-password": testbed.env["ONEX_KAFKA_SASL_PASSWORD"]})
    cluster.apply("infraconnections", "InfraConnection", "default", kafka_connection(testbed))
    return cluster


def remove_cluster(cluster: Cluster) -> None:
    """Delete the resources first (the operator removes its finalizers), then the namespace."""
    # managed resources first, their connection last: deleting a topic needs the connection
    for plural, name in reversed(cluster.created):
        cluster.delete(plural, name)
    for plural, name in reversed(cluster.created):
        try:
            cluster.wait_gone(plural, name, timeout=30)
        except pytest.fail.Exception:
            patch = {"metadata": {"finalizers": []}}
            cluster.objects.patch_namespaced_custom_object(
                GROUP, VERSION, cluster.namespace, plural, name, patch
            )
    client.CoreV1Api(cluster.api).delete_namespace(cluster.namespace)


def release_namespace(api: ApiClient, namespace: str) -> None:
    """Delete a namespace whose operator may be gone: every finalizer of the operator's (on the
    managed resources, on the connections and Secrets in use) is removed by hand first."""
    objects, core = client.CustomObjectsApi(api), client.CoreV1Api(api)
    for plural in ("kafkatopics", "vaultsecrets", "consulservices", "postgresmigrations", "infraconnections"):
        for item in objects.list_namespaced_custom_object(GROUP, VERSION, namespace, plural)["items"]:
            try:
                objects.patch_namespaced_custom_object(
                    GROUP,
                    VERSION,
                    namespace,
                    plural,
                    item["metadata"]["name"],
                    {"metadata": {"finalizers": []}},
                )
            except ApiException as error:
                if error.status != 404:
                    raise
    for secret in core.list_namespaced_secret(namespace).items:
        if secret.metadata.finalizers:
            try:
                core.patch_namespaced_secret(
                    secret.metadata.name, namespace, {"metadata": {"finalizers": None}}
                )
            except ApiException as error:
                if error.status != 404:
                    raise
    core.delete_namespace(namespace)


@pytest.fixture
def cluster(api: ApiClient, testbed: RunningTestbed, operator: OperatorProcess) -> Iterator[Cluster]:
    made = make_cluster(api, testbed, E2E_NAMESPACE_PREFIX)
    yield made
    remove_cluster(made)


# -- VaultSecret (helpers in tests/e2e/vault_helpers.py) ---------------------------------------------


@pytest.fixture(scope="session")
def bao(testbed: RunningTestbed) -> Bao:
    """OpenBao's HTTP API as the test-bed's root token."""
    from tests.e2e.vault_helpers import bao_of  # noqa: PLC0415 - it imports this module

    return bao_of(testbed)


@pytest.fixture
def kv_root(bao: Bao) -> Iterator[str]:
    """A KV path prefix of this test alone; everything under it (KV v2 and v1) is removed after the
    test, once its namespace (listed after this fixture) is gone."""
    from tests.e2e.vault_helpers import KV1, KV2, unique_path  # noqa: PLC0415 - it imports this module

    root = unique_path()
    yield root
    if not bao.sealed():
        bao.remove_tree(root, KV2)
        bao.remove_tree(root, KV1, kv_version=1)


@pytest.fixture
def vault_cluster(kv_root: str, cluster: Cluster, bao: Bao) -> Cluster:
    """`cluster` whose `default` InfraConnection also has a vault section: token auth, a token with
    only the operator's policy read from the Secret `vault-credentials`."""
    from tests.e2e.vault_helpers import use_vault  # noqa: PLC0415 - it imports this module

    use_vault(cluster, bao, bao.child_token())
    return cluster
