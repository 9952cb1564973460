"""The test-bed's control plane is a real kube-apiserver with a working kube-controller-manager."""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Iterator

import pytest
from kubernetes import client, config
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException

from tests.conftest import RunningTestbed

pytestmark = pytest.mark.integration

GROUP = "probe.testbed.onex.dev"


@pytest.fixture(scope="module")
def api(testbed: RunningTestbed) -> Iterator[ApiClient]:
    api_client = config.new_client_from_config(config_file=str(testbed.kubeconfig))
    yield api_client
    api_client.close()


@pytest.fixture
def namespace(api: ApiClient) -> Iterator[str]:
    name = f"testbed-{uuid.uuid4().hex[:8]}"
    core = client.CoreV1Api(api)
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    yield name
    try:
        core.delete_namespace(name)
    except ApiException as error:
        if error.status != 404:
            raise


def _wait_for(predicate: object, timeout: float, message: str) -> None:
    assert callable(predicate)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    pytest.fail(message)


def test_custom_resource_round_trip(api: ApiClient, namespace: str) -> None:
    extensions = client.ApiextensionsV1Api(api)
    crd_name = f"widgets.{GROUP}"
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": crd_name},
        "spec": {
            "group": GROUP,
            "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {
                                "spec": {
                                    "type": "object",
                                    "properties": {"size": {"type": "integer", "minimum": 1}},
                                }
                            },
                        }
                    },
                }
            ],
        },
    }
    try:
        extensions.create_custom_resource_definition(crd)
    except ApiException as error:
        if error.status != 409:
            raise

    def established() -> bool:
        current = extensions.read_custom_resource_definition(crd_name)
        return any(c.type == "Established" and c.status == "True" for c in current.status.conditions or [])

    _wait_for(established, 30, "the CRD never became Established")
    objects = client.CustomObjectsApi(api)
    body = {"apiVersion": f"{GROUP}/v1", "kind": "Widget", "metadata": {"name": "w1"}, "spec": {"size": 3}}
    objects.create_namespaced_custom_object(GROUP, "v1", namespace, "widgets", body)
    read = objects.get_namespaced_custom_object(GROUP, "v1", namespace, "widgets", "w1")
    assert isinstance(read, dict)
    assert read["spec"] == {"size": 3}
    with pytest.raises(ApiException) as rejected:
        objects.create_namespaced_custom_object(
            GROUP,
            "v1",
            namespace,
            "widgets",
            {"apiVersion": f"{GROUP}/v1", "kind": "Widget", "metadata": {"name": "w2"}, "spec": {"size": 0}},
        )
    assert rejected.value.status == 422
    assert "spec.size" in str(rejected.value.body)


def test_namespace_deletion_is_finalized(api: ApiClient) -> None:
    core = client.CoreV1Api(api)
    name = f"testbed-gone-{uuid.uuid4().hex[:8]}"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    core.create_namespaced_config_map(name, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="c")))
    core.delete_namespace(name)

    def gone() -> bool:
        try:
            core.read_namespace(name)
        except ApiException as error:
            return error.status == 404
        return False

    _wait_for(gone, 90, f"namespace {name} was never finalized (is kube-controller-manager running?)")


def test_service_account_token_and_rbac(testbed: RunningTestbed, api: ApiClient, namespace: str) -> None:
    core = client.CoreV1Api(api)
    core.create_namespaced_service_account(
        namespace, client.V1ServiceAccount(metadata=client.V1ObjectMeta(name="r"))
    )
    rbac = client.RbacAuthorizationV1Api(api)
    rbac.create_namespaced_role(
        namespace,
        client.V1Role(
            metadata=client.V1ObjectMeta(name="read-config-maps"),
            rules=[client.V1PolicyRule(api_groups=[""], resources=["configmaps"], verbs=["get", "list"])],
        ),
    )
    rbac.create_namespaced_role_binding(
        namespace,
        client.V1RoleBinding(
            metadata=client.V1ObjectMeta(name="read-config-maps"),
            role_ref=client.V1RoleRef(
                api_group="rbac.authorization.k8s.io", kind="Role", name="read-config-maps"
            ),
            subjects=[client.RbacV1Subject(kind="ServiceAccount", name="r", namespace=namespace)],
        ),
    )
    token = subprocess.run(
        [
            str(testbed.kubectl),
            "--kubeconfig",
            str(testbed.kubeconfig),
            "-n",
            namespace,
            "create",
            "token",
            "r",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert token.count(".") == 2  # a signed JWT from the TokenRequest API

    def as_service_account(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                str(testbed.kubectl),
                "--kubeconfig",
                str(testbed.kubeconfig),
                "--token",
                token,
                "-n",
                namespace,
                *arguments,
            ],
            capture_output=True,
            text=True,
            check=False,
        )

    allowed = as_service_account("get", "configmaps")
    assert allowed.returncode == 0, allowed.stderr
    denied = as_service_account("get", "secrets")
    assert denied.returncode != 0
    assert "forbidden" in denied.stderr.lower()

    # the serviceaccount controller publishes the root CA into every namespace
    _wait_for(
        lambda: any(
            c.metadata.name == "kube-root-ca.crt" for c in core.list_namespaced_config_map(namespace).items
        ),
        30,
        "kube-root-ca.crt was never published (root-ca publisher controller)",
    )
