"""What the VaultSecret end-to-end tests share: OpenBao read and written directly (as its root token,
to check what the operator did and to change things behind its back), vault InfraConnections, and
namespaces watched only by a test's own operator."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests
from kubernetes import client
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException

from tests.conftest import RunningTestbed
from tests.e2e.conftest import (
    GROUP,
    VERSION,
    Cluster,
    make_cluster,
    release_namespace,
    wait_until,
)

PLURAL, KIND = "vaultsecrets", "VaultSecret"
KV2, KV1 = "secret", "kv1"
POLICY = "onex-operator"  # the test-bed's policy over both KV mounts
MANAGED_BY = "onex-infra-operator"
ROTATE = "infra.onex.dev/rotate"
TOKEN_SECRET, TOKEN_KEY = "vault-credentials", "vault-token"


@dataclass(frozen=True)
class KvSecret:
    """One KV secret as OpenBao holds it (KV v1: no version, no metadata)."""

    data: dict[str, str]
    version: int | None = None
    custom_metadata: dict[str, str] = field(default_factory=dict)


@dataclass
class Bao:
    """OpenBao's HTTP API as the test-bed's root token."""

    address: str
    token: str = field(repr=False)
    unseal_key_file: Path
    _session: requests.Session = field(default_factory=requests.Session, repr=False)

    def call(self, method: str, path: str, body: dict[str, object] | None = None) -> requests.Response:
        return self._session.request(
            method, f"{self.address}{path}", json=body, headers={"X-Vault-Token": self.token}, timeout=10
        )

    def _ok(self, method: str, path: str, body: dict[str, object] | None = None) -> dict[str, object]:
        answer = self.call(method, path, body)
        assert answer.ok, f"OpenBao {method} {path}: HTTP {answer.status_code} {answer.text[:300]}"
        parsed: object = answer.json() if answer.content else {}
        return parsed if isinstance(parsed, dict) else {}

    # -- KV ---------------------------------------------------------------------------------------

    def read(self, mount: str, path: str, kv_version: int = 2) -> KvSecret | None:
        """The current data (None: no secret, or its current version is deleted)."""
        if kv_version == 1:
            answer = self.call("GET", f"/v1/{mount}/{path}")
            if answer.status_code == 404:
                return None
            assert answer.ok, answer.text
            return KvSecret(data=dict(answer.json()["data"]))
        answer = self.call("GET", f"/v1/{mount}/data/{path}")
        if answer.status_code == 404:
            return None
        assert answer.ok, answer.text
        body = answer.json()["data"]
        metadata = body.get("metadata") or {}
        return KvSecret(
            data=dict(body.get("data") or {}),
            version=int(metadata.get("version") or 0),
            custom_metadata=dict(metadata.get("custom_metadata") or {}),
        )

    def data(self, mount: str, path: str, kv_version: int = 2) -> dict[str, str] | None:
        secret = self.read(mount, path, kv_version)
        return secret.data if secret is not None else None

    def metadata(self, path: str, mount: str = KV2) -> dict[str, object] | None:
        """KV v2 metadata (versions, custom_metadata), None when there is none."""
        answer = self.call("GET", f"/v1/{mount}/metadata/{path}")
        if answer.status_code == 404:
            return None
        assert answer.ok, answer.text
        data: dict[str, object] = answer.json()["data"]
        return data

    def versions(self, path: str, mount: str = KV2) -> dict[int, dict[str, str]]:
        """Every readable version's data, by version number."""
        metadata = self.metadata(path, mount) or {}
        versions = metadata.get("versions")
        found: dict[int, dict[str, str]] = {}
        for number in sorted(int(key) for key in (versions if isinstance(versions, dict) else {})):
            answer = self.call("GET", f"/v1/{mount}/data/{path}?version={number}")
            if answer.ok:
                found[number] = dict(answer.json()["data"]["data"] or {})
        return found

    def write(self, mount: str, path: str, data: dict[str, str], kv_version: int = 2) -> int | None:
        """Write behind the operator's back (KV v2: a new version, custom_metadata untouched)."""
        if kv_version == 1:
            self._ok("POST", f"/v1/{mount}/{path}", dict(data))
            return None
        answer = self._ok("POST", f"/v1/{mount}/data/{path}", {"data": dict(data)})
        version = answer["data"]["version"]  # type: ignore[index]
        return int(version)

    def list(self, path: str, mount: str = KV2, kv_version: int = 2) -> list[str]:
        url = f"/v1/{mount}/metadata/{path}" if kv_version == 2 else f"/v1/{mount}/{path}"
        answer = self.call("LIST", url)
        if answer.status_code == 404:
            return []
        assert answer.ok, answer.text
        return list(answer.json()["data"]["keys"])

    def remove(self, path: str, mount: str = KV2, kv_version: int = 2) -> None:
        """Delete a secret and (KV v2) all its versions; absent is fine."""
        url = f"/v1/{mount}/metadata/{path}" if kv_version == 2 else f"/v1/{mount}/{path}"
        answer = self.call("DELETE", url)
        assert answer.ok or answer.status_code == 404, answer.text

    def remove_tree(self, prefix: str, mount: str = KV2, kv_version: int = 2) -> None:
        """Every secret under `prefix/`."""
        for key in self.list(prefix, mount, kv_version):
            child = f"{prefix}/{key.rstrip('/')}"
            if key.endswith("/"):
                self.remove_tree(child, mount, kv_version)
            else:
                self.remove(child, mount, kv_version)

    # -- tokens and the seal ------------------------------------------------------------------------

    def child_token(self, ttl: str = "2h") -> str:
        """A token with only the operator's policy, as a user would hand it out."""
        answer = self._ok(
            "POST", "/v1/auth/token/create", {"policies": [POLICY], "ttl": ttl, "no_parent": True}
        )
        token = answer["auth"]["client_token"]  # type: ignore[index]
        return str(token)

    def sealed(self) -> bool:
        answer = self._session.get(f"{self.address}/v1/sys/seal-status", timeout=10)
        return bool(answer.json()["sealed"])

    def seal(self) -> None:
        answer = self.call("PUT", "/v1/sys/seal")
        assert answer.status_code in {200, 204}, answer.text

    def unseal(self) -> None:
        key = self.unseal_key_file.read_text().strip()
        answer = self._session.put(f"{self.address}/v1/sys/unseal", json={"key": key}, timeout=10)
        assert answer.ok, f"OpenBao did not unseal: HTTP {answer.status_code} {answer.text[:300]}"
        assert answer.json()["sealed"] is False, answer.text


def bao_of(testbed: RunningTestbed) -> Bao:
    env = testbed.env
    return Bao(
        address=env["VAULT_ADDR"],
        token=env["VAULT_TOKEN"],
        unseal_key_file=Path(env["ONEX_TESTBED_VAULT_UNSEAL_KEY_FILE"]),
    )


def unique_path(kind: str = "e2e") -> str:
    """A KV path no other test (or session) uses; everything a test writes lives under it."""
    return f"e2e-vault/{kind}-{uuid.uuid4().hex[:12]}"


# -- connections --------------------------------------------------------------------------------------


def token_auth(secret: str = TOKEN_SECRET, key: str = TOKEN_KEY) -> dict[str, object]:
    return {"token": {"secretRef": {"name": secret, "key": key}}}


def vault_section(bao: Bao, auth: dict[str, object], path_prefix: str | None = None) -> dict[str, object]:
    section: dict[str, object] = {"address": bao.address, "auth": auth}
    if path_prefix is not None:
        section["pathPrefix"] = path_prefix
    return section


def use_vault(cluster: Cluster, bao: Bao, token: str) -> None:
    """The namespace's `default` InfraConnection gets a vault section with token auth, the token
    read from the Secret `vault-credentials` (the kafka section stays). A merge patch: the operator
    may be writing to the connection at the same moment (it protects connections in use)."""
    cluster.put_secret(TOKEN_SECRET, {TOKEN_KEY: token})
    cluster.objects.patch_namespaced_custom_object(
        GROUP,
        VERSION,
        cluster.namespace,
        "infraconnections",
        "default",
        {"spec": {"vault": vault_section(bao, token_auth())}},
    )


def vault_connection(
    cluster: Cluster,
    name: str,
    bao: Bao,
    auth: dict[str, object],
    *,
    path_prefix: str | None = None,
    address: str | None = None,
) -> None:
    """An InfraConnection `name` with only a vault section (at OpenBao's address unless `address`):
    created, or its vault section merged (a merge patch keeps what the operator wrote meanwhile)."""
    section = {**vault_section(bao, auth, path_prefix), **({"address": address} if address else {})}
    body = {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "InfraConnection",
        "metadata": {"name": name},
        "spec": {"vault": section},
    }
    try:
        cluster.objects.create_namespaced_custom_object(
            GROUP, VERSION, cluster.namespace, "infraconnections", body
        )
    except ApiException as error:
        if error.status != 409:
            raise
        cluster.objects.patch_namespaced_custom_object(
            GROUP, VERSION, cluster.namespace, "infraconnections", name, {"spec": {"vault": section}}
        )
    else:
        cluster.created.append(("infraconnections", name))


# -- resources ----------------------------------------------------------------------------------------


def status_of(cluster: Cluster, name: str) -> dict[str, object]:
    status = (cluster.get(PLURAL, name) or {}).get("status")
    return status if isinstance(status, dict) else {}


def uid_of(cluster: Cluster, name: str) -> str:
    body = cluster.get(PLURAL, name) or {}
    return str(body["metadata"]["uid"])  # type: ignore[index]


def patch(cluster: Cluster, name: str, body: dict[str, object]) -> None:
    """A merge patch: unlike Cluster.apply, it keeps the resource's annotations."""
    cluster.objects.patch_namespaced_custom_object(GROUP, VERSION, cluster.namespace, PLURAL, name, body)


def annotate(cluster: Cluster, name: str, key: str, value: str) -> None:
    patch(cluster, name, {"metadata": {"annotations": {key: value}}})


def secret_data(cluster: Cluster, name: str) -> dict[str, str] | None:
    """A Kubernetes Secret's data, decoded; None when it does not exist."""
    secret = read_secret(cluster, name)
    if secret is None:
        return None
    return {key: base64.b64decode(value).decode() for key, value in (secret.data or {}).items()}


def read_secret(cluster: Cluster, name: str) -> client.V1Secret | None:
    try:
        secret: client.V1Secret = cluster.core.read_namespaced_secret(name, cluster.namespace)
    except ApiException as error:
        if error.status == 404:
            return None
        raise
    return secret


def events(cluster: Cluster, name: str, reason: str | None = None) -> list[tuple[str, str]]:
    return [
        (event.reason or "", event.message or "")
        for event in cluster.events(name)
        if reason is None or event.reason == reason
    ]


def wait_data(
    bao: Bao,
    path: str,
    expected: dict[str, str],
    *,
    mount: str = KV2,
    kv_version: int = 2,
    timeout: float = 30,
) -> None:
    wait_until(
        lambda: bao.data(mount, path, kv_version) == expected,
        timeout,
        lambda: (
            f"{mount}/{path} holds keys {sorted(bao.data(mount, path, kv_version) or {})}, "
            f"expected {sorted(expected)} (values not shown)"
        ),
    )


def wait_condition(
    cluster: Cluster,
    name: str,
    *,
    status: str,
    reason: str | None = None,
    kind: str = "Ready",
    timeout: float = 60,
) -> dict[str, object]:
    """Like Cluster.wait_condition, for the current generation; returns the status the condition
    was read from (one read per look: the status and the condition always belong together)."""
    seen: dict[str, object] = {}

    def reached() -> bool:
        nonlocal seen
        body = cluster.get(PLURAL, name) or {}
        found = body.get("status")
        seen = found if isinstance(found, dict) else {}
        conditions = seen.get("conditions")
        condition = next(
            (c for c in conditions if c.get("type") == kind) if isinstance(conditions, list) else iter(()),
            {},
        )
        generation = (body.get("metadata") or {}).get("generation")  # type: ignore[union-attr]
        return (
            condition.get("status") == status
            and (reason is None or condition.get("reason") == reason)
            and condition.get("observedGeneration") == generation
        )

    wait_until(
        reached, timeout, lambda: f"{PLURAL}/{name} never reached {kind}={status} {reason or ''}: {seen}"
    )
    return seen


def wait_ready(
    cluster: Cluster, name: str, reason: str = "Reconciled", timeout: float = 60
) -> dict[str, object]:
    """Ready=True with `reason` for the current generation; the status then."""
    return wait_condition(cluster, name, status="True", reason=reason, timeout=timeout)


def wait_ready_reason(cluster: Cluster, name: str, reason: str, timeout: float = 60) -> dict[str, object]:
    """Ready=False with `reason` for the current generation; the status then."""
    return wait_condition(cluster, name, status="False", reason=reason, timeout=timeout)


def condition_status(cluster: Cluster, name: str, kind: str) -> object:
    return (cluster.condition(PLURAL, name, kind) or {}).get("status")


# -- namespaces only a test's own operator watches -----------------------------------------------------


@contextmanager
def own_cluster(api: ApiClient, testbed: RunningTestbed, prefix: str) -> Iterator[Cluster]:
    """A namespace `<prefix><random>` for a test's own operator (which watches it by its exact name,
    so a namespace of an earlier test, still terminating, is never its business). Cleaned up without
    an operator: finalizers are removed by hand, so a failed test never waits for nobody."""
    cluster = make_cluster(api, testbed, prefix)
    try:
        yield cluster
    finally:
        release_namespace(api, cluster.namespace)
