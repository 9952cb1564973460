"""`onex-infra demo`: the README's main job. Starts the test-bed, installs the CRDs, runs the operator,
applies the examples of the kinds it reconciles so far, waits for Ready and prints their status.
The operator keeps running until Ctrl-C (or returns at once with --exit-when-ready)."""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import sys
import time
import urllib.request
from pathlib import Path

import yaml
from kubernetes import client, config
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException

from onex_operator.kube.api import GROUP, VERSION
from onex_operator.kube.crds import install_crds
from onex_operator.nodes.infrastructure_orchestrator.gate import is_ready
from onex_operator.runtime.cli import configure_logging
from onex_operator.runtime.operator import run_operator
from onex_operator.runtime.settings import ModelOperatorSettings
from onex_operator.testbed.cli import render_status_table
from onex_operator.testbed.manager import Testbed, TestbedFailedError
from onex_operator.testbed.settings import load_settings

NAMESPACE = "onex-examples"
CREDENTIALS_SECRET = "onex-testbed-credentials"
# kinds the operator reconciles today; the other examples arrive with their kinds
MANAGED = {
    "KafkaTopic": "kafkatopics",
    "VaultSecret": "vaultsecrets",
    "ConsulService": "consulservices",
    "PostgresMigration": "postgresmigrations",
}
RECONCILED = {"InfraConnection": "infraconnections", **MANAGED}
_REPO = Path(__file__).resolve().parents[2]
ManifestDoc = dict[str, object]


def _say(message: str) -> None:
    print(f"[demo] {message}", file=sys.stderr, flush=True)


def _credentials_secret(api: ApiClient, testbed: Testbed) -> None:
    core = client.CoreV1Api(api)
    try:
        core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=NAMESPACE)))
    except ApiException as error:
        if error.status != 409:
            raise
    env = testbed.client_env()
    values = {
        "kafka-sasl-password": env["ONEX_KAFKA_SASL_PASSWORD"],
        "consul-token": env["CONSUL_HTTP_TOKEN"],
        "openbao-token": env["VAULT_TOKEN"],
        "postgres-password": env["PGPASSWORD"],
    }
    data = {key: base64.b64encode(value.encode()).decode() for key, value in values.items()}
    secret = client.V1Secret(metadata=client.V1ObjectMeta(name=CREDENTIALS_SECRET), data=data)
    try:
        core.create_namespaced_secret(NAMESPACE, secret)
    except ApiException as error:
        if error.status != 409:
            raise
        core.replace_namespaced_secret(CREDENTIALS_SECRET, NAMESPACE, secret)


def _examples() -> list[ManifestDoc]:
    documents: list[ManifestDoc] = []
    for path in sorted((_REPO / "contracts" / "examples").glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            if isinstance(document, dict) and document.get("kind") in RECONCILED:
                documents.append(document)
    return documents


def _apply(api: ApiClient, document: ManifestDoc) -> None:
    objects = client.CustomObjectsApi(api)
    plural = RECONCILED[str(document["kind"])]
    metadata = document["metadata"]
    assert isinstance(metadata, dict)
    name = str(metadata["name"])
    try:
        current = objects.get_namespaced_custom_object(GROUP, VERSION, NAMESPACE, plural, name)
    except ApiException as error:
        if error.status != 404:
            raise
        objects.create_namespaced_custom_object(GROUP, VERSION, NAMESPACE, plural, document)
        return
    metadata["resourceVersion"] = _as_dict(_as_dict(current).get("metadata")).get("resourceVersion")
    objects.replace_namespaced_custom_object(GROUP, VERSION, NAMESPACE, plural, name, document)


def _status_rows(api: ApiClient) -> list[tuple[str, str, str, str]]:
    objects = client.CustomObjectsApi(api)
    rows = []
    for kind, plural in MANAGED.items():
        listing = _as_dict(objects.list_namespaced_custom_object(GROUP, VERSION, NAMESPACE, plural))
        items = listing.get("items")
        rows += [_row(kind, item) for item in (items if isinstance(items, list) else [])]
    return rows


def _row(kind: str, item: object) -> tuple[str, str, str, str]:
    status = _as_dict(_as_dict(item).get("status"))
    found = status.get("conditions")
    conditions = {str(_as_dict(c).get("type")): _as_dict(c) for c in found} if isinstance(found, list) else {}
    ready = conditions.get("Ready", {})
    return (
        f"{kind}/{_as_dict(_as_dict(item).get('metadata')).get('name')}",
        str(ready.get("status", "Unknown")),
        str(ready.get("reason", "-")),
        str(ready.get("message", ""))[:70],
    )


def _consul_health(api: ApiClient) -> list[str]:
    """Each ConsulService's checks as Consul runs them: a critical check is not un-Ready."""
    objects = client.CustomObjectsApi(api)
    listing = _as_dict(objects.list_namespaced_custom_object(GROUP, VERSION, NAMESPACE, "consulservices"))
    lines = []
    items = listing.get("items")
    for item in items if isinstance(items, list) else []:
        status = _as_dict(_as_dict(item).get("status"))
        states = [
            f"{state}: {', '.join(str(name) for name in names)}"
            for state in ("passing", "warning", "critical")
            if isinstance(names := status.get(f"{state}Checks"), list) and names
        ]
        name = _as_dict(_as_dict(item).get("metadata")).get("name")
        checks = "; ".join(states) or "no checks"
        lines.append(f"ConsulService/{name}: health {status.get('health', 'unknown')} ({checks})")
    return lines


def _migrations(api: ApiClient) -> list[str]:
    """Each PostgresMigration's history as its status reports it."""
    objects = client.CustomObjectsApi(api)
    listing = _as_dict(objects.list_namespaced_custom_object(GROUP, VERSION, NAMESPACE, "postgresmigrations"))
    lines = []
    items = listing.get("items")
    for item in items if isinstance(items, list) else []:
        status = _as_dict(_as_dict(item).get("status"))
        name = _as_dict(_as_dict(item).get("metadata")).get("name")
        pending = status.get("pending")
        lines.append(
            f"PostgresMigration/{name}: {status.get('appliedCount', 0)} applied, "
            f"last {status.get('lastAppliedVersion', '-')}, pending {pending or 'none'}"
        )
    return lines


def _target_secrets(api: ApiClient, documents: list[ManifestDoc]) -> list[str]:
    """The Kubernetes Secrets VaultSecrets keep in sync: their keys and owner, never a value."""
    core = client.CoreV1Api(api)
    lines = []
    for document in documents:
        target = _as_dict(_as_dict(document.get("spec")).get("target"))
        if document.get("kind") != "VaultSecret" or not target.get("name"):
            continue
        try:
            secret = core.read_namespaced_secret(str(target["name"]), NAMESPACE)
        except ApiException as error:
            if error.status != 404:
                raise
            lines.append(f"Secret/{target['name']}: not written yet")
            continue
        metadata = secret.metadata or client.V1ObjectMeta()
        owners = ", ".join(f"{o.kind}/{o.name}" for o in metadata.owner_references or [])
        keys = ", ".join(sorted(secret.data or {}))
        lines.append(f"Secret/{target['name']}: keys {keys} (values not shown), owned by {owners}")
    return lines


def _as_dict(value: object) -> dict[str, object]:
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else {}


def _print_table(rows: list[tuple[str, str, str, str]]) -> None:
    header = ("RESOURCE", "READY", "REASON", "MESSAGE")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


async def _wait_ready(
    api: ApiClient, names: list[tuple[str, str]], timeout: float, operator: asyncio.Task[None], hub_port: int
) -> bool:
    """Every example Ready, and reconciled by this operator at least once: a Ready left in status by
    an earlier run is not yet this run's answer (its first reconcile may still find work)."""
    objects = client.CustomObjectsApi(api)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not operator.done():
        bodies = [
            await asyncio.to_thread(
                objects.get_namespaced_custom_object, GROUP, VERSION, NAMESPACE, plural, n
            )
            for plural, n in names
        ]
        reconciled = await asyncio.to_thread(_reconciles_done, hub_port)
        if reconciled >= len(names) and all(isinstance(body, dict) and is_ready(body) for body in bodies):
            return True
        await asyncio.sleep(1)
    return False


def _reconciles_done(hub_port: int) -> float:
    """The operator's onex_reconciles_total, summed over kinds and results (0 before it answers)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{hub_port}/metrics", timeout=5) as response:
            text = response.read().decode()
    except OSError:
        return 0.0
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("onex_reconciles_total{")
    )


async def _demo_async(args: argparse.Namespace, api: ApiClient) -> int:
    operator = asyncio.create_task(
        run_operator(
            ModelOperatorSettings(
                namespaces=(NAMESPACE,), hub_port=args.hub_port, operator_namespace=NAMESPACE
            )
        )
    )
    documents = _examples()
    for document in documents:
        await asyncio.to_thread(_apply, api, document)
        _say(f"applied {document['kind']}/{document['metadata']['name']}")  # type: ignore[index]
    managed = [
        (MANAGED[str(d["kind"])], str(d["metadata"]["name"]))  # type: ignore[index]
        for d in documents
        if d["kind"] in MANAGED
    ]
    ready = await _wait_ready(api, managed, timeout=120, operator=operator, hub_port=args.hub_port)
    if operator.done():
        await operator  # the operator stopped early: its error is the demo's answer
    print()
    _print_table(await asyncio.to_thread(_status_rows, api))
    print()
    for line in await asyncio.to_thread(_target_secrets, api, documents):
        print(line)
    for line in await asyncio.to_thread(_consul_health, api):
        print(line)
    for line in await asyncio.to_thread(_migrations, api):
        print(line)
    print()
    if not ready:
        _say("not every resource became Ready within 120s; the conditions above say why")
    if args.exit_when_ready or not ready:
        operator.cancel()
        await asyncio.gather(operator, return_exceptions=True)
        return 0 if ready else 1
    _say(f"operator running (metrics on http://127.0.0.1:{args.hub_port}/metrics); Ctrl-C stops it")
    await operator
    return 0


def _demo(args: argparse.Namespace) -> int:
    testbed = Testbed(load_settings())
    try:
        statuses = testbed.up()
    except TestbedFailedError as failed:
        print(f"demo: the test-bed did not start:\n{failed}", file=sys.stderr)
        return 1
    print(render_status_table(statuses), file=sys.stderr)
    configure_logging(verbose=False)
    # the operator finds its cluster as any client does
    os.environ["KUBECONFIG"] = testbed.client_env()["KUBECONFIG"]
    api = config.new_client_from_config(config_file=testbed.client_env()["KUBECONFIG"])  # type: ignore[no-untyped-call]
    _say("installing the CRDs and the example credentials Secret")
    install_crds(api, _REPO / "crds")
    _credentials_secret(api, testbed)
    try:
        return asyncio.run(_demo_async(args, api))
    except KeyboardInterrupt:
        return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("demo", help="test-bed + operator + examples, with their status")
    parser.add_argument("--exit-when-ready", action="store_true", help="stop the operator once all are Ready")
    parser.add_argument("--hub-port", type=int, default=18080, help="operator metrics and probes port")
    parser.set_defaults(handler=_demo)
