"""The chart's RBAC is sufficient and minimal: the chart is installed with `watchNamespaces`, the
operator runs as its ServiceAccount (a TokenRequest token in a kubeconfig holding nothing else, the
flags the chart's Deployment passes, kopf peering on), and KafkaTopic and VaultSecret go through
their lifecycle; then, as that identity, what it must not do is refused by `kubectl auth can-i` and
by real attempts."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
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
from tests.e2e.conftest import Cluster, OperatorProcess, kafka_connection, running_operator, wait_until
from tests.e2e.test_kafka_topic_lifecycle import describe, unique_topic
from tests.e2e.vault_helpers import KV2, Bao, unique_path, use_vault

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "charts" / "onex-infra-operator"
GROUP, VERSION = "infra.onex.dev", "v1alpha1"


@dataclass(frozen=True)
class Installed:
    release: str
    operator_namespace: str
    watched: tuple[str, str]  # two watched namespaces (a Role and a KopfPeering in each)
    service_account: str
    kubeconfig: Path
    peering: str


def run(command: list[str], env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, check=False)
    if check and done.returncode != 0:
        pytest.fail(f"{' '.join(command[:3])} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done


def create_namespace(core: client.CoreV1Api, prefix: str) -> str:
    name = f"{prefix}{uuid.uuid4().hex[:8]}"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    return name


def token_kubeconfig(testbed: RunningTestbed, token: str, path: Path) -> Path:
    """A kubeconfig with the test-bed's server and CA and only `token` as the user."""
    admin = yaml.safe_load(testbed.kubeconfig.read_text())
    cluster = admin["clusters"][0]["cluster"]
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [
                    {
                        "name": "testbed",
                        "cluster": {
                            "server": cluster["server"],
                            "certificate-authority-data": cluster["certificate-authority-data"],
                        },
                    }
                ],
                "users": [{"name": "operator", "user": {"token": token}}],
                "contexts": [{"name": "operator", "context": {"cluster": "testbed", "user": "operator"}}],
                "current-context": "operator",
            }
        )
    )
    path.chmod(0o600)
    return path


@pytest.fixture(scope="module")
def installed(
    api: ApiClient, testbed: RunningTestbed, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Installed]:
    try:
        helm = ensure_helm(testbed.settings, Progress())
    except TestbedError as failed:
        pytest.fail(f"helm could not be built:\n{failed}", pytrace=False)
    core = client.CoreV1Api(api)
    operator_namespace = create_namespace(core, "chart-op-")
    watched = (create_namespace(core, "chart-a-"), create_namespace(core, "chart-b-"))
    release = f"rbac-{uuid.uuid4().hex[:6]}"
    environment = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path_factory.mktemp("helm-home"))}
    environment["KUBECONFIG"] = str(testbed.kubeconfig)
    run(
        [
            str(helm),
            "install",
            release,
            str(CHART),
            "--namespace",
            operator_namespace,
            "--set",
            f"watchNamespaces={{{watched[0]},{watched[1]}}}",
            "--set",
            f"peering.name={release}",
        ],
        environment,
    )
    service_account = f"{release}-onex-infra-operator"
    request = client.AuthenticationV1TokenRequest(
        spec=client.V1TokenRequestSpec(audiences=[], expiration_seconds=3600)
    )
    token = core.create_namespaced_service_account_token(service_account, operator_namespace, request)
    kubeconfig = token_kubeconfig(testbed, token.status.token, tmp_path_factory.mktemp("sa") / "kubeconfig")
    try:
        yield Installed(release, operator_namespace, watched, service_account, kubeconfig, release)
    finally:
        run([str(helm), "uninstall", release, "--namespace", operator_namespace], environment, check=False)
        for namespace in (operator_namespace, *watched):
            try:
                core.delete_namespace(namespace)
            except ApiException as error:
                if error.status != 404:
                    raise


@pytest.fixture(scope="module")
def operator_as_service_account(
    installed: Installed, testbed: RunningTestbed, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OperatorProcess]:
    """`onex_operator run` with the flags the chart's Deployment passes, as the ServiceAccount."""
    flags = [f"--namespace={namespace}" for namespace in installed.watched[1:]]
    with running_operator(
        testbed,
        tmp_path_factory.mktemp("operator-sa"),
        installed.watched[0],
        extra_args=[
            *flags,
            f"--peering={installed.peering}",
            f"--operator-namespace={installed.operator_namespace}",
            "--hash-key-secret=onex-infra-operator-hash-key",
        ],
        env={"KUBECONFIG": str(installed.kubeconfig), "POD_NAMESPACE": installed.operator_namespace},
    ) as process:
        yield process


def cluster_in(api: ApiClient, testbed: RunningTestbed, namespace: str) -> Cluster:
    cluster = Cluster(api=api, namespace=namespace, testbed=testbed)
    cluster.put_secret("testbed-credentials", {"kafka-password": testbed.env["ONEX_KAFKA_SASL_PASSWORD"]})
    cluster.apply("infraconnections", "InfraConnection", "default", kafka_connection(testbed))
    return cluster


def no_rbac_refusals(operator: OperatorProcess) -> None:
    log = operator.log()
    # "HTTP 403" as the operator words it, never a bare 403 (a correlation id may hold one)
    for sign in ("HTTP 403", "Forbidden", "may not", "Not enough permissions"):
        assert sign not in log, f"the operator met a refusal ({sign!r}):\n{log}"


def test_lifecycle_as_the_service_account(
    installed: Installed,
    operator_as_service_account: OperatorProcess,
    api: ApiClient,
    testbed: RunningTestbed,
    bao: Bao,
) -> None:
    operator = operator_as_service_account
    root = unique_path("chart-rbac")
    for namespace in installed.watched:
        use_vault(cluster_in(api, testbed, namespace), bao, bao.child_token())
    lifecycle = Cluster(api=api, namespace=installed.watched[0], testbed=testbed)

    # create -> Ready; delete with deletionPolicy Delete -> the topic and the Vault secret are gone
    topic = unique_topic()
    lifecycle.apply(
        "kafkatopics",
        "KafkaTopic",
        "topic",
        {"topicName": topic, "partitions": 1, "deletionPolicy": "Delete"},
    )
    lifecycle.apply(
        "vaultsecrets",
        "VaultSecret",
        "secret",
        {
            "path": f"{root}/a",
            "data": [{"key": "password", "generate": {"length": 24}}],
            "target": {"name": "app"},
            "deletionPolicy": "Delete",
        },
    )
    lifecycle.wait_condition("kafkatopics", "topic", status="True", reason="Reconciled")
    lifecycle.wait_condition("vaultsecrets", "secret", status="True", reason="Reconciled")
    assert describe(testbed, topic) is not None
    assert bao.read(KV2, f"{root}/a") is not None
    target = lifecycle.core.read_namespaced_secret("app", lifecycle.namespace)
    assert set(target.data) == {"password"}
    assert lifecycle.events("topic"), "the operator posted no Event"
    # the hash-key Secret was created in the operator's own namespace
    lifecycle.core.read_namespaced_secret("onex-infra-operator-hash-key", installed.operator_namespace)

    lifecycle.delete("kafkatopics", "topic")
    lifecycle.delete("vaultsecrets", "secret")
    lifecycle.wait_gone("kafkatopics", "topic")
    lifecycle.wait_gone("vaultsecrets", "secret")
    wait_until(lambda: describe(testbed, topic) is None, 30, "deletionPolicy Delete left the topic behind")
    wait_until(lambda: bao.read(KV2, f"{root}/a") is None, 30, "deletionPolicy Delete left the secret behind")

    no_rbac_refusals(operator)


# -- what the identity must not do ------------------------------------------------------------------


def can_i(testbed: RunningTestbed, installed: Installed, *args: str) -> str:
    done = run(
        [str(testbed.kubectl), "--kubeconfig", str(installed.kubeconfig), "auth", "can-i", *args],
        # without a HOME kubectl writes its discovery cache into the working directory
        {"PATH": "/usr/bin:/bin", "HOME": str(installed.kubeconfig.parent)},
        check=False,
    )
    return done.stdout.strip()


def test_can_i_matches_the_chart(installed: Installed, testbed: RunningTestbed) -> None:
    watched, own = installed.watched[0], installed.operator_namespace
    allowed = [
        ("watch", "kafkatopics.infra.onex.dev", "-n", watched),
        ("patch", "vaultsecrets.infra.onex.dev", "--subresource=status", "-n", watched),
        ("update", "secrets", "-n", watched),
        ("create", "events", "-n", watched),
        ("patch", "clusterinfraconnections.infra.onex.dev"),
        ("list", "namespaces"),
        ("watch", "customresourcedefinitions.apiextensions.k8s.io"),
        ("patch", f"kopfpeerings.kopf.dev/{installed.peering}", "-n", watched),
        ("get", "secrets/onex-infra-operator-hash-key", "-n", own),
        ("get", "configmaps", "-n", watched),
    ]
    refused = [
        ("get", "secrets", "-n", "default"),
        ("list", "secrets", "-n", "kube-system"),
        ("list", "secrets", "-n", own),
        ("get", "secrets/other", "-n", own),
        ("list", "secrets", "--all-namespaces"),
        ("delete", "secrets", "-n", watched),
        ("get", "kafkatopics.infra.onex.dev", "-n", "default"),
        ("delete", "kafkatopics.infra.onex.dev", "-n", watched),
        ("delete", "customresourcedefinitions.apiextensions.k8s.io"),
        ("create", "customresourcedefinitions.apiextensions.k8s.io"),
        ("update", "customresourcedefinitions.apiextensions.k8s.io"),
        ("create", "deployments.apps", "-n", watched),
        ("create", "configmaps", "-n", watched),
        ("get", "configmaps", "-n", "default"),
        ("watch", "configmaps", "-n", watched),
        ("create", "rolebindings.rbac.authorization.k8s.io", "-n", watched),
        ("patch", "namespaces"),
        ("patch", "kopfpeerings.kopf.dev/someone-else", "-n", watched),
        ("create", "clusterkopfpeerings.kopf.dev"),
        ("create", "serviceaccounts/token", "-n", own),
        ("impersonate", "serviceaccounts"),
    ]
    wrong = [args for args in allowed if can_i(testbed, installed, *args) != "yes"]
    wrong += [args for args in refused if can_i(testbed, installed, *args) != "no"]
    assert not wrong, f"can-i answered against the chart for: {wrong}"


def test_real_attempts_are_refused(installed: Installed) -> None:
    as_operator = config.new_client_from_config(config_file=str(installed.kubeconfig))
    core = client.CoreV1Api(as_operator)
    attempts = {
        "read a Secret outside the watched namespaces": lambda: core.list_namespaced_secret("default"),
        "read the operator namespace's other Secrets": lambda: core.list_namespaced_secret(
            installed.operator_namespace
        ),
        "delete a CRD": lambda: client.ApiextensionsV1Api(as_operator).delete_custom_resource_definition(
            "kafkatopics.infra.onex.dev", dry_run="All"
        ),
        "create a Deployment": lambda: client.AppsV1Api(as_operator).create_namespaced_deployment(
            installed.watched[0],
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "nope"},
                "spec": {
                    "selector": {"matchLabels": {"a": "b"}},
                    "template": {
                        "metadata": {"labels": {"a": "b"}},
                        "spec": {"containers": [{"name": "c", "image": "busybox"}]},
                    },
                },
            },
            dry_run="All",
        ),
        "create a ConfigMap": lambda: core.create_namespaced_config_map(
            installed.watched[0], {"metadata": {"name": "nope"}, "data": {}}, dry_run="All"
        ),
        "delete a watched Secret": lambda: core.delete_namespaced_secret(
            "testbed-credentials", installed.watched[0], dry_run="All"
        ),
        "bind itself a role": lambda: client.RbacAuthorizationV1Api(as_operator).create_cluster_role_binding(
            {
                "metadata": {"name": f"{installed.release}-escalate"},
                "roleRef": {
                    "apiGroup": "rbac.authorization.k8s.io",
                    "kind": "ClusterRole",
                    "name": "cluster-admin",
                },
                "subjects": [
                    {
                        "kind": "ServiceAccount",
                        "name": installed.service_account,
                        "namespace": installed.operator_namespace,
                    }
                ],
            },
            dry_run="All",
        ),
    }
    allowed: list[str] = []
    try:
        for what, attempt in attempts.items():
            try:
                attempt()
            except ApiException as error:
                assert error.status == 403, f"{what}: {error.status} {error.body}"
            else:
                allowed.append(what)
    finally:
        as_operator.close()
    assert not allowed, f"the operator's identity could: {allowed}"
