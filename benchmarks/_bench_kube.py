"""The Kubernetes side of the benchmarks: CRDs, a namespace with the credentials Secret and an
InfraConnection, custom resources (KafkaTopic by default, any kind by its plural) created and
deleted in bulk, and a watch that notes when each resource becomes Ready."""

from __future__ import annotations

import base64
import json
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

import urllib3
from kubernetes import client, config, watch
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException

from onex_operator.kube.api import GROUP, VERSION
from onex_operator.kube.crds import install_crds
from onex_operator.nodes.infrastructure_orchestrator.gate import is_ready

PLURAL = "kafkatopics"
RUN_LABEL = "bench.onex.dev/run"
SECRET_NAME = "bench-credentials"
REPO = Path(__file__).resolve().parents[1]
JsonObject = dict[str, object]


def as_dict(value: object) -> JsonObject:
    return {str(key): item for key, item in value.items()} if isinstance(value, dict) else {}


def make_api_client(kubeconfig: Path, pool_size: int) -> ApiClient:
    """A client whose connection pool admits `pool_size` concurrent requests."""
    configuration = client.Configuration()
    config.load_kube_config(config_file=str(kubeconfig), client_configuration=configuration)  # type: ignore[no-untyped-call]
    configuration.connection_pool_maxsize = pool_size
    return ApiClient(configuration)


def apply_crds(api: ApiClient) -> None:
    install_crds(api, REPO / "crds")


def connection_spec(listener: str, environment: dict[str, str]) -> JsonObject:
    if listener == "plaintext":
        return {"kafka": {"bootstrapServers": [environment["ONEX_KAFKA_BOOTSTRAP"]]}}
    return {
        "kafka": {
            "bootstrapServers": [environment["ONEX_KAFKA_SASL_BOOTSTRAP"]],
            "securityProtocol": "SASL_PLAINTEXT",
            "sasl": {
                "mechanism": environment["ONEX_KAFKA_SASL_MECHANISM"],
                "username": environment["ONEX_KAFKA_SASL_USERNAME"],
                "passwordSecretRef": {"name": SECRET_NAME, "key": "kafka-password"},
            },
        }
    }


def create_namespace(api: ApiClient, namespace: str, listener: str, environment: dict[str, str]) -> None:
    """The namespace, the credentials Secret and InfraConnection/default (Kafka)."""
    credentials = {"kafka-password": environment["ONEX_KAFKA_SASL_PASSWORD"]}
    create_connection_namespace(api, namespace, credentials, connection_spec(listener, environment))


def create_connection_namespace(
    api: ApiClient, namespace: str, credentials: dict[str, str], spec: JsonObject
) -> None:
    """The namespace, the Secret `SECRET_NAME` holding `credentials`, and InfraConnection/default."""
    core = client.CoreV1Api(api)
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=namespace)))
    data = {key: base64.b64encode(value.encode()).decode() for key, value in credentials.items()}
    secret = client.V1Secret(metadata=client.V1ObjectMeta(name=SECRET_NAME), data=data)
    core.create_namespaced_secret(namespace, secret)
    connection = {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "InfraConnection",
        "metadata": {"name": "default"},
        "spec": spec,
    }
    client.CustomObjectsApi(api).create_namespaced_custom_object(
        GROUP, VERSION, namespace, "infraconnections", connection
    )


def patch_connection(api: ApiClient, namespace: str, spec: JsonObject) -> None:
    """Merge `spec` into InfraConnection/default's spec."""
    client.CustomObjectsApi(api).patch_namespaced_custom_object(
        GROUP, VERSION, namespace, "infraconnections", "default", {"spec": spec}
    )


def release_finalizers(api: ApiClient, namespace: str, say: Callable[[str], None]) -> None:
    """Remove every finalizer from the namespace's InfraConnections and Secrets (the operator's
    in-use protection): with the operator stopped, nobody else would, and the namespace would stay
    Terminating."""
    objects, core = client.CustomObjectsApi(api), client.CoreV1Api(api)
    connections = objects.list_namespaced_custom_object(GROUP, VERSION, namespace, "infraconnections")
    held = [
        str(as_dict(as_dict(item).get("metadata")).get("name"))
        for item in _items(connections)
        if as_dict(as_dict(item).get("metadata")).get("finalizers")
    ]
    _drop_finalizers(objects, namespace, held, "infraconnections")
    secrets = [
        str(secret.metadata.name)
        for secret in core.list_namespaced_secret(namespace).items
        if secret.metadata is not None and secret.metadata.finalizers
    ]
    for name in secrets:
        core.patch_namespaced_secret(name, namespace, {"metadata": {"finalizers": None}})
    if held or secrets:
        say(f"finalizers removed from {len(held)} InfraConnection(s) and {len(secrets)} Secret(s)")


def delete_namespace(api: ApiClient, namespace: str, say: Callable[[str], None]) -> None:
    try:
        client.CoreV1Api(api).delete_namespace(namespace)
    except ApiException as error:
        if error.status != 404:
            raise
    say(f"namespace {namespace} deleted")


@dataclass(frozen=True)
class TopicSpec:
    partitions: int
    replication_factor: int
    config: dict[str, str]


def kafka_topic(name: str, run_id: str, spec: TopicSpec) -> JsonObject:
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "KafkaTopic",
        "metadata": {"name": name, "labels": {RUN_LABEL: run_id}},
        "spec": {
            "partitions": spec.partitions,
            "replicationFactor": spec.replication_factor,
            "config": dict(spec.config),
        },
    }


def vault_secret(name: str, run_id: str, mount: str, path: str, *, generate_length: int) -> JsonObject:
    """A VaultSecret with two keys: one literal value, one generated (alphanumeric) value."""
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "VaultSecret",
        "metadata": {"name": name, "labels": {RUN_LABEL: run_id}},
        "spec": {
            "mount": mount,
            "path": path,
            "data": [
                {"key": "username", "value": f"user-{name}"},
                {"key": "password", "generate": {"length": generate_length, "charset": "alphanumeric"}},
            ],
        },
    }


def consul_service(name: str, run_id: str, service_id: str, *, port: int, ttl: str) -> JsonObject:
    """A ConsulService with one TTL check (the agent probes nothing: a TTL check waits to be passed)."""
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "ConsulService",
        "metadata": {"name": name, "labels": {RUN_LABEL: run_id}},
        "spec": {
            "serviceName": "bench-consul",
            "serviceId": service_id,
            "address": "127.0.0.1",
            "port": port,
            "checks": [{"name": "alive", "ttl": ttl}],
        },
    }


def create_resources(
    api: ApiClient,
    namespace: str,
    bodies: list[JsonObject],
    threads: int,
    say: Callable[[str], None],
    *,
    plural: str = PLURAL,
) -> None:
    """Create every resource, `threads` requests in flight at once."""
    objects = client.CustomObjectsApi(api)

    def create(body: JsonObject) -> None:
        objects.create_namespaced_custom_object(GROUP, VERSION, namespace, plural, body)

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="create") as pool:
        futures = [pool.submit(create, body) for body in bodies]
        try:
            while wait(futures, timeout=5).not_done:
                say(f"  {sum(future.done() for future in futures)}/{len(bodies)} resources created")
        except BaseException:
            for future in futures:
                future.cancel()  # Ctrl-C: no new creates, the clean-up comes next
            raise
        for future in futures:
            future.result()


def server_side_apply(
    kubectl: Path, kubeconfig: Path, namespace: str, bodies: list[JsonObject], workdir: Path
) -> None:
    """One `kubectl apply --server-side` of every resource as a List, the way users apply."""
    listing = workdir / f"apply-{namespace}.json"
    listing.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": bodies}))
    subprocess.run(
        [
            str(kubectl),
            "--kubeconfig",
            str(kubeconfig),
            "-n",
            namespace,
            "apply",
            "--server-side",
            "-f",
            str(listing),
        ],
        check=True,
        capture_output=True,
    )


def resource_names(
    api: ApiClient, namespace: str, selector: str | None = None, plural: str = PLURAL
) -> list[str]:
    listing = client.CustomObjectsApi(api).list_namespaced_custom_object(
        GROUP, VERSION, namespace, plural, label_selector=selector or ""
    )
    return [str(as_dict(as_dict(item).get("metadata")).get("name")) for item in _items(listing)]


def _items(listing: object) -> list[object]:
    items = as_dict(listing).get("items")
    return list(items) if isinstance(items, list) else []


def delete_resources(
    api: ApiClient,
    namespace: str,
    selector: str | None,
    timeout: float,
    say: Callable[[str], None],
    *,
    plural: str = PLURAL,
) -> None:
    """Delete the resources (the operator removes its finalizers) and wait until they are gone;
    finalizers still there after `timeout` are removed by hand."""
    objects = client.CustomObjectsApi(api)
    objects.delete_collection_namespaced_custom_object(
        GROUP, VERSION, namespace, plural, label_selector=selector or ""
    )
    deadline = time.monotonic() + timeout
    next_report = time.monotonic() + 5
    while remaining := resource_names(api, namespace, selector, plural):
        if time.monotonic() > deadline:
            say(f"{len(remaining)} resources kept their finalizer for {timeout:.0f}s; removing it by hand")
            _drop_finalizers(objects, namespace, remaining, plural)
            deadline = time.monotonic() + timeout
        elif time.monotonic() > next_report:
            say(f"  {len(remaining)} {plural} still being deleted")
            next_report = time.monotonic() + 5
            # a create that was in flight at the first delete: delete again
            objects.delete_collection_namespaced_custom_object(
                GROUP, VERSION, namespace, plural, label_selector=selector or ""
            )
        time.sleep(1)


def _drop_finalizers(
    objects: client.CustomObjectsApi, namespace: str, names: Iterable[str], plural: str
) -> None:
    for name in names:
        try:
            objects.patch_namespaced_custom_object(
                GROUP, VERSION, namespace, plural, name, {"metadata": {"finalizers": None}}
            )
        except ApiException as error:
            if error.status != 404:
                raise


class ReadyWatch:
    """Watches the resources of one run and notes when each is first seen Ready (kstatus reading:
    Ready=True for the current generation). Lists once per (re)connection, never polls."""

    def __init__(self, api: ApiClient, namespace: str, run_id: str, plural: str = PLURAL) -> None:
        self._objects = client.CustomObjectsApi(api)
        self._plural = plural
        self._namespace = namespace
        self._selector = f"{RUN_LABEL}={run_id}"
        self._lock = threading.Lock()
        self._ready_at: dict[str, float] = {}
        self._state: dict[str, str] = {}
        self._stopping = threading.Event()
        self._watch: watch.Watch | None = None
        self._thread = threading.Thread(target=self._run, name="ready-watch", daemon=True)
        self._synced = threading.Event()

    def start(self) -> None:
        self._thread.start()
        if not self._synced.wait(timeout=30):
            raise TimeoutError(f"the {self._plural} watch did not start within 30s")

    def stop(self) -> None:
        self._stopping.set()
        if self._watch is not None:
            self._watch.stop()  # type: ignore[no-untyped-call]
        self._thread.join(timeout=15)

    def ready_times(self) -> list[float]:
        with self._lock:
            return sorted(self._ready_at.values())

    def states(self) -> Counter[str]:
        """Each seen resource's Ready condition as `status/reason`."""
        with self._lock:
            return Counter(self._state.values())

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                version = self._list()
                self._synced.set()
                self._follow(version)
            except (ApiException, OSError, ValueError, urllib3.exceptions.HTTPError):
                time.sleep(1)  # a broken or expired watch: list again, at most once a second

    def _list(self) -> str:
        listing = self._objects.list_namespaced_custom_object(
            GROUP, VERSION, self._namespace, self._plural, label_selector=self._selector
        )
        for item in _items(listing):
            self._note(as_dict(item))
        return str(as_dict(as_dict(listing).get("metadata")).get("resourceVersion", ""))

    def _follow(self, version: str) -> None:
        self._watch = watch.Watch()  # type: ignore[no-untyped-call]
        events = self._watch.stream(  # type: ignore[no-untyped-call]
            self._objects.list_namespaced_custom_object,
            GROUP,
            VERSION,
            self._namespace,
            self._plural,
            label_selector=self._selector,
            resource_version=version,
            timeout_seconds=60,
        )
        for event in events:
            if self._stopping.is_set():
                return
            found = as_dict(event)
            if found.get("type") in {"ADDED", "MODIFIED"}:
                self._note(as_dict(found.get("object")))

    def _note(self, body: JsonObject) -> None:
        name = str(as_dict(body.get("metadata")).get("name", ""))
        now = time.monotonic()
        with self._lock:
            self._state[name] = _ready_state(body)
            if name not in self._ready_at and is_ready(body):
                self._ready_at[name] = now


def _ready_state(body: JsonObject) -> str:
    conditions = as_dict(body.get("status")).get("conditions")
    for condition in conditions if isinstance(conditions, list) else []:
        found = as_dict(condition)
        if found.get("type") == "Ready":
            return f"{found.get('status')}/{found.get('reason')}"
    return "no status"
