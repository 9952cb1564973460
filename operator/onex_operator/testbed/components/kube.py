"""kube-apiserver and kube-controller-manager, built from k8s.io/kubernetes (kubectl comes along)."""

from __future__ import annotations

import ssl
from pathlib import Path

from onex_operator.testbed.components.base import TestbedContext
from onex_operator.testbed.components.kube_pki import KubePki
from onex_operator.testbed.http_probe import ProbeFailedError, get_json, get_text, insecure_context
from onex_operator.testbed.obtain import ModelGoBuild, ensure_go_build, go_binary_dir
from onex_operator.testbed.processes import ModelLaunch
from onex_operator.testbed.settings import KUBERNETES_VERSION

_MAJOR, _MINOR, _ = KUBERNETES_VERSION.split(".")
_VERSION_LDFLAGS = " ".join(
    f"-X {package}.{field}={value}"
    for package in ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version")
    for field, value in (
        ("gitVersion", f"v{KUBERNETES_VERSION}"),
        ("gitMajor", _MAJOR),
        ("gitMinor", _MINOR),
        ("gitTreeState", "clean"),
    )
)

KUBERNETES_BUILD = ModelGoBuild(
    component="kube-apiserver",
    module_dir="kubernetes",
    version=KUBERNETES_VERSION,
    packages=[
        "k8s.io/kubernetes/cmd/kube-apiserver",
        "k8s.io/kubernetes/cmd/kube-controller-manager",
        "k8s.io/kubernetes/cmd/kubectl",
    ],
    # without the version stamp /version is not semver and clients such as Helm refuse the server
    ldflags=f"-s -w {_VERSION_LDFLAGS}",
)

# The controllers a real cluster needs for what the operator relies on: namespace finalization,
# garbage collection of owned objects (synced Secrets) and service-account tokens.
CONTROLLERS = (
    "namespace-controller",
    "garbage-collector-controller",
    "serviceaccount-controller",
    "serviceaccount-token-controller",
    "root-ca-certificate-publisher-controller",
)


def kubernetes_binary(cache_dir: Path, name: str) -> Path:
    return go_binary_dir(cache_dir, KUBERNETES_BUILD) / name


class KubeApiserverComponent:
    name = "kube-apiserver"
    depends_on: tuple[str, ...] = ("etcd",)

    def __init__(self, context: TestbedContext) -> None:
        self._context = context
        self._ports = context.settings.ports
        self.pki = KubePki(
            context.settings.run_dir / "kube-pki",
            self._ports.kube_apiserver,
            context.credentials.kube_admin_token,
        )

    def ports(self) -> list[int]:
        return [self._ports.kube_apiserver]

    def obtain(self) -> None:
        ensure_go_build(KUBERNETES_BUILD, self._context.settings.cache_dir, self._context.progress)

    def prepare(self) -> None:
        self.pki.ensure()

    def launch(self) -> ModelLaunch:
        pki = self.pki
        return ModelLaunch(
            command=[
                str(kubernetes_binary(self._context.settings.cache_dir, "kube-apiserver")),
                f"--etcd-servers=http://127.0.0.1:{self._ports.etcd_client}",
                "--advertise-address=127.0.0.1",
                "--bind-address=127.0.0.1",
                f"--secure-port={self._ports.kube_apiserver}",
                f"--cert-dir={pki.directory}",
                f"--tls-cert-file={pki.serving_cert}",
                f"--tls-private-key-file={pki.serving_key}",
                f"--client-ca-file={pki.ca_cert}",
                f"--token-auth-file={pki.token_file}",
                "--authorization-mode=RBAC",
                "--service-cluster-ip-range=10.0.0.0/24",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                f"--service-account-key-file={pki.service_account_public_key}",
                f"--service-account-signing-key-file={pki.service_account_key}",
                "--api-audiences=https://kubernetes.default.svc.cluster.local",
                "--enable-priority-and-fairness=false",
                "--v=1",
            ]
        )

    def _tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.pki.ca_cert))

    def probe(self) -> str:
        headers = {"Authorization": f"Bearer {self._context.credentials.kube_admin_token}"}
        ready = get_text(f"{self.pki.server_url}/readyz", headers=headers, context=self._tls())
        if ready.strip() != "ok":
            raise ProbeFailedError(f"/readyz answered {ready.strip()!r}")
        version = get_json(f"{self.pki.server_url}/version", headers=headers, context=self._tls())
        return str(version.get("gitVersion", "?"))

    def after_ready(self) -> None:
        return None

    def client_env(self) -> dict[str, str]:
        kubectl_dir = kubernetes_binary(self._context.settings.cache_dir, "kubectl").parent
        return {"KUBECONFIG": str(self.pki.kubeconfig), "ONEX_TESTBED_BIN": str(kubectl_dir)}


class KubeControllerManagerComponent:
    name = "kube-controller-manager"
    depends_on: tuple[str, ...] = ("kube-apiserver",)

    def __init__(self, context: TestbedContext) -> None:
        self._context = context
        self._ports = context.settings.ports
        self._apiserver = KubeApiserverComponent(context)

    def ports(self) -> list[int]:
        return [self._ports.kube_controller_manager]

    def obtain(self) -> None:
        ensure_go_build(KUBERNETES_BUILD, self._context.settings.cache_dir, self._context.progress)

    def prepare(self) -> None:
        self._apiserver.pki.ensure()

    def launch(self) -> ModelLaunch:
        pki = self._apiserver.pki
        kubeconfig = str(pki.kubeconfig)
        return ModelLaunch(
            command=[
                str(kubernetes_binary(self._context.settings.cache_dir, "kube-controller-manager")),
                f"--kubeconfig={kubeconfig}",
                f"--authentication-kubeconfig={kubeconfig}",
                f"--authorization-kubeconfig={kubeconfig}",
                "--bind-address=127.0.0.1",
                f"--secure-port={self._ports.kube_controller_manager}",
                f"--cert-dir={self._context.data_dir(self.name)}",
                f"--controllers={','.join(CONTROLLERS)}",
                f"--service-account-private-key-file={pki.service_account_key}",
                f"--root-ca-file={pki.ca_cert}",
                "--leader-elect=false",
                "--use-service-account-credentials=false",
                "--v=1",
            ]
        )

    def probe(self) -> str:
        health = get_text(
            f"https://127.0.0.1:{self._ports.kube_controller_manager}/healthz", context=insecure_context()
        )
        if health.strip() != "ok":
            raise ProbeFailedError(f"/healthz answered {health.strip()!r}")
        return f"v{KUBERNETES_VERSION}"

    def after_ready(self) -> None:
        return None

    def client_env(self) -> dict[str, str]:
        return {}
