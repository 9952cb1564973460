"""The Helm chart with real Helm (built from the Go module proxy on first use, cached) against the
test-bed's kube-apiserver: lint, template with every documented values file, values refused by the
schema, and a real install into a namespace where PodSecurity `restricted` is enforced.

The test-bed has no kubelet (and its kube-controller-manager runs no Deployment controller), so the
operator's pods never run here: the pod template is created as a Pod (server-side dry-run) to have
`restricted` admission judge it.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from kubernetes import client, config
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException

from onex_operator.testbed.errors import TestbedError
from onex_operator.testbed.helm import ensure_helm
from onex_operator.testbed.progress import Progress
from tests.conftest import RunningTestbed

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "charts" / "onex-infra-operator"
EXAMPLES = sorted((CHART / "examples").glob("*.yaml"))
Manifest = dict[str, object]


@pytest.fixture(scope="session")
def helm(testbed: RunningTestbed) -> Path:
    try:
        return ensure_helm(testbed.settings, Progress())
    except TestbedError as failed:
        pytest.fail(f"helm could not be built:\n{failed}", pytrace=False)


def run_helm(
    helm: Path, testbed: RunningTestbed, *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(helm), *args],
        capture_output=True,
        text=True,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(testbed.settings.run_dir),
            "KUBECONFIG": str(testbed.kubeconfig),
        },
        timeout=300,
        check=False,
    )
    if check and done.returncode != 0:
        pytest.fail(f"helm {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done


def render(
    helm: Path, testbed: RunningTestbed, *values: str, namespace: str = "onex-system"
) -> list[Manifest]:
    done = run_helm(helm, testbed, "template", "onex", str(CHART), "--namespace", namespace, *values)
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


def by_kind(manifests: list[Manifest], kind: str) -> list[Manifest]:
    return [item for item in manifests if item.get("kind") == kind]


def pod_spec(manifests: list[Manifest]) -> dict[str, object]:
    (deployment,) = by_kind(manifests, "Deployment")
    spec = deployment["spec"]
    assert isinstance(spec, dict)
    template = spec["template"]
    assert isinstance(template, dict)
    return dict(template["spec"])


def container_args(manifests: list[Manifest]) -> list[str]:
    (container,) = pod_spec(manifests)["containers"]  # type: ignore[misc]
    return list(container["args"])


def rules(manifests: list[Manifest]) -> list[dict[str, object]]:
    return [
        rule
        for item in manifests
        if item.get("kind") in {"Role", "ClusterRole"}
        for rule in item.get("rules", [])  # type: ignore[union-attr]
    ]


@pytest.fixture(scope="module")
def api(testbed: RunningTestbed) -> Iterator[ApiClient]:
    made = config.new_client_from_config(config_file=str(testbed.kubeconfig))
    yield made
    made.close()


# -- lint and template ------------------------------------------------------------------------------


def test_examples_are_documented() -> None:
    assert {path.name for path in EXAMPLES} >= {"watch-namespaces.yaml", "monitoring.yaml"}


@pytest.mark.parametrize("values", [None, *EXAMPLES], ids=lambda v: "default" if v is None else v.name)
def test_lint_is_clean(helm: Path, testbed: RunningTestbed, values: Path | None) -> None:
    extra = ["--values", str(values)] if values is not None else []
    done = run_helm(helm, testbed, "lint", "--strict", str(CHART), *extra)
    assert "0 chart(s) failed" in done.stdout


@pytest.mark.parametrize("values", [None, *EXAMPLES], ids=lambda v: "default" if v is None else v.name)
def test_template_renders_least_privilege(helm: Path, testbed: RunningTestbed, values: Path | None) -> None:
    manifests = render(helm, testbed, *(["--values", str(values)] if values is not None else []))
    assert {"ServiceAccount", "Deployment", "Service", "ClusterRole", "ClusterRoleBinding"} <= {
        str(item["kind"]) for item in manifests
    }
    for rule in rules(manifests):
        assert "*" not in rule["verbs"] and "*" not in rule["resources"], rule  # type: ignore[operator]
        assert "*" not in rule.get("apiGroups", []), rule  # type: ignore[operator]
        assert "delete" not in rule["verbs"] and "deletecollection" not in rule["verbs"], rule  # type: ignore[operator]
    spec = pod_spec(manifests)
    assert spec["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": 10001,
        "runAsGroup": 10001,
        "fsGroup": 10001,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    (container,) = spec["containers"]  # type: ignore[misc]
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "privileged": False,
        "capabilities": {"drop": ["ALL"]},
    }
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["resources"]["limits"]["memory"]
    assert "--operator-namespace=$(POD_NAMESPACE)" in container["args"]


def test_default_values_serve_every_namespace_with_a_cluster_peering(
    helm: Path, testbed: RunningTestbed
) -> None:
    manifests = render(helm, testbed)
    assert not by_kind(manifests, "Role") and not by_kind(manifests, "RoleBinding")
    args = container_args(manifests)
    assert not [arg for arg in args if arg.startswith("--namespace")]
    assert "--peering=onex-infra-operator" in args
    (peering,) = by_kind(manifests, "ClusterKopfPeering")
    assert peering["metadata"]["name"] == "onex-infra-operator"  # type: ignore[index]
    resources = {res for rule in rules(manifests) for res in rule["resources"]}  # type: ignore[attr-defined]
    assert "namespaces" not in resources  # kopf watches all namespaces without listing them
    assert {"secrets", "events", "kafkatopics/status", "clusterkopfpeerings"} <= resources
    (deployment,) = by_kind(manifests, "Deployment")
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}  # type: ignore[index]


def test_watch_namespaces_grant_roles_and_only_cluster_reads(helm: Path, testbed: RunningTestbed) -> None:
    manifests = render(helm, testbed, "--values", str(CHART / "examples" / "watch-namespaces.yaml"))
    args = container_args(manifests)
    assert [arg for arg in args if arg.startswith("--namespace")] == [
        "--namespace=team-a",
        "--namespace=team-b",
    ]
    roles = {(r["metadata"]["namespace"], r["metadata"]["name"]) for r in by_kind(manifests, "Role")}  # type: ignore[index]
    assert roles == {
        ("team-a", "onex-onex-infra-operator"),
        ("team-b", "onex-onex-infra-operator"),
        ("onex-system", "onex-onex-infra-operator-hash-key"),
    }
    assert {p["metadata"]["namespace"] for p in by_kind(manifests, "KopfPeering")} == {"team-a", "team-b"}  # type: ignore[index]
    assert not by_kind(manifests, "ClusterKopfPeering")
    (cluster_role,) = by_kind(manifests, "ClusterRole")
    cluster_resources = {res for rule in cluster_role["rules"] for res in rule["resources"]}  # type: ignore[attr-defined]
    assert cluster_resources == {
        "clusterinfraconnections",
        "clusterinfraconnections/status",
        "customresourcedefinitions",
        "namespaces",
    }
    for rule in cluster_role["rules"]:  # type: ignore[attr-defined]
        if rule["resources"] != ["clusterinfraconnections"]:
            assert "patch" not in rule["verbs"] or rule["resources"] == ["clusterinfraconnections/status"]


def test_monitoring_example_adds_a_service_monitor_and_a_budget(helm: Path, testbed: RunningTestbed) -> None:
    manifests = render(helm, testbed, "--values", str(CHART / "examples" / "monitoring.yaml"))
    (monitor,) = by_kind(manifests, "ServiceMonitor")
    assert monitor["spec"]["endpoints"][0]["path"] == "/metrics"  # type: ignore[index]
    (budget,) = by_kind(manifests, "PodDisruptionBudget")
    assert budget["spec"]["maxUnavailable"] == 1  # type: ignore[index]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["--set", "watchNamespaces[0]=team-*"], "/watchNamespaces/0"),
        (["--set", "hub.port=80"], "/hub/port"),
        (["--set", "driftInterval=five minutes"], "/driftInterval"),
        (["--set", "image.repository="], "/image/repository"),
        (["--set-string", "peering.enabled=yes"], "/peering/enabled"),
        (["--set", "unknownSetting=1"], "unknownSetting"),
        (["--set", "replicaCount=-1"], "/replicaCount"),
        (
            ["--set", "podDisruptionBudget.minAvailable=1,podDisruptionBudget.maxUnavailable=1"],
            "/podDisruptionBudget",
        ),
    ],
    ids=[
        "glob-namespace",
        "privileged-port",
        "bad-duration",
        "no-image",
        "not-bool",
        "unknown",
        "negative",
        "pdb-both",
    ],
)
def test_schema_refuses_bad_values(
    helm: Path, testbed: RunningTestbed, values: list[str], message: str
) -> None:
    done = run_helm(helm, testbed, "template", "onex", str(CHART), *values, check=False)
    assert done.returncode != 0, done.stdout
    assert "values don't meet the specifications of the schema" in done.stderr, done.stderr
    assert message in done.stderr, done.stderr


def test_two_replicas_peer_with_random_priorities(helm: Path, testbed: RunningTestbed) -> None:
    """Two replicas: each pod joins the peering with no priority flag (so `onex-infra run` draws a
    random one, tests/e2e/test_peering.py), and the rollout strategy stays Recreate."""
    (deployment,) = by_kind(render(helm, testbed, "--set", "replicaCount=2"), "Deployment")
    spec = deployment["spec"]
    assert isinstance(spec, dict)
    assert spec["replicas"] == 2 and spec["strategy"] == {"type": "Recreate"}
    (container,) = spec["template"]["spec"]["containers"]
    assert "--peering=onex-infra-operator" in container["args"]
    assert not any("peering-priority" in arg for arg in container["args"])
    assert not any("PEERING_PRIORITY" in env["name"] for env in container["env"])


def test_two_replicas_without_peering_are_refused(helm: Path, testbed: RunningTestbed) -> None:
    done = run_helm(
        helm,
        testbed,
        "template",
        "onex",
        str(CHART),
        "--set",
        "replicaCount=2,peering.enabled=false",
        check=False,
    )
    assert done.returncode != 0, done.stdout
    assert "more than 1 needs peering.enabled=true" in done.stderr, done.stderr


# -- a real install --------------------------------------------------------------------------------


def restricted_namespace(api: ApiClient, prefix: str) -> str:
    name = f"{prefix}{uuid.uuid4().hex[:8]}"
    labels = {
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
    }
    client.CoreV1Api(api).create_namespace(
        client.V1Namespace(metadata=client.V1ObjectMeta(name=name, labels=labels))
    )
    return name


def test_install_into_a_restricted_namespace(helm: Path, testbed: RunningTestbed, api: ApiClient) -> None:
    namespace = restricted_namespace(api, "chart-install-")
    release = f"onex-{uuid.uuid4().hex[:6]}"
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    try:
        done = run_helm(
            helm,
            testbed,
            "install",
            release,
            str(CHART),
            "--namespace",
            namespace,
            "--set",
            f"peering.name={release}",
            "--values",
            str(CHART / "examples" / "monitoring.yaml"),
            "--set",
            "serviceMonitor.enabled=false",  # no Prometheus Operator CRD on the test-bed
            "--wait=false",
        )
        # a Deployment whose pod template `restricted` would refuse is admitted with a warning
        assert "would violate PodSecurity" not in done.stderr, done.stderr
        status = json.loads(run_helm(helm, testbed, "status", release, "-n", namespace, "-o", "json").stdout)
        assert status["info"]["status"] == "deployed"

        fullname = f"{release}-onex-infra-operator"
        deployment = apps.read_namespaced_deployment(fullname, namespace)
        core.read_namespaced_service(fullname, namespace)
        core.read_namespaced_service_account(fullname, namespace)
        client.PolicyV1Api(api).read_namespaced_pod_disruption_budget(fullname, namespace)
        rbac = client.RbacAuthorizationV1Api(api)
        rbac.read_cluster_role(fullname)
        rbac.read_cluster_role_binding(fullname)
        client.CustomObjectsApi(api).get_cluster_custom_object(
            "kopf.dev", "v1", "clusterkopfpeerings", release
        )
        for crd in ("kafkatopics.infra.onex.dev", "clusterkopfpeerings.kopf.dev", "kopfpeerings.kopf.dev"):
            client.ApiextensionsV1Api(api).read_custom_resource_definition(crd)

        # `restricted` judges Pods at admission: the Deployment's pod template as a Pod is admitted
        template = api.sanitize_for_serialization(deployment.spec.template)
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "operator-template"},
            "spec": template["spec"],
        }
        core.create_namespaced_pod(namespace, pod, dry_run="All")
        # ... and the namespace really enforces it: the same pod running as root is refused
        template["spec"]["securityContext"]["runAsNonRoot"] = False
        template["spec"]["securityContext"]["runAsUser"] = 0
        with pytest.raises(ApiException) as refused:
            core.create_namespaced_pod(namespace, {**pod, "spec": template["spec"]}, dry_run="All")
        assert refused.value.status == 403 and "restricted" in str(refused.value.body)

        run_helm(helm, testbed, "uninstall", release, "--namespace", namespace, "--wait")
        with pytest.raises(ApiException) as gone:
            rbac.read_cluster_role(fullname)
        assert gone.value.status == 404
    finally:
        run_helm(
            helm, testbed, "uninstall", release, "--namespace", namespace, "--ignore-not-found", check=False
        )
        core.delete_namespace(namespace)
