"""A plan writes nothing: its Kubernetes client passes reads only (or, with --bootstrap, nothing at
all), and the operator's hash key is read, never created (the operator itself still creates it)."""

from __future__ import annotations

import base64
from uuid import UUID, uuid4

import pytest
from kubernetes import client

from onex_operator.errors import (
    InfraAuthenticationError,
    ModelInfraErrorContext,
    ProtocolConfigurationError,
)
from onex_operator.kube.api import JsonObject, KubeApi
from onex_operator.kube.model_secret_state import ModelSecretState
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType
from onex_operator.planning.kube_access import PlanWriteRefusedError, read_only, unconsulted
from onex_operator.planning.plan_container import PlanContainer
from onex_operator.runtime.hash_key import HashKeySource

pytestmark = pytest.mark.unit

URL = "http://127.0.0.1:1/api/v1/namespaces/team/secrets"


class RecordingRest:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def request(self, method: str, url: str, **options: object) -> str:
        self.calls.append(method)
        return "answer"

    def close(self) -> None:
        self.calls.append("close")


def _guarded() -> tuple[client.ApiClient, RecordingRest]:
    api_client = client.ApiClient(client.Configuration())
    rest = RecordingRest()
    api_client.rest_client = rest
    return read_only(api_client), rest


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_a_write_never_leaves_the_process(method: str) -> None:
    api_client, rest = _guarded()
    with pytest.raises(PlanWriteRefusedError, match=f"a plan writes nothing: {method} /api/v1/namespaces"):
        api_client.call_api(method, URL)
    assert rest.calls == []


def test_a_read_passes() -> None:
    api_client, rest = _guarded()
    assert api_client.call_api("GET", URL) == "answer"
    assert rest.calls == ["GET"]
    api_client.close()
    assert rest.calls == ["GET", "close"]
    unconsulted("with --bootstrap", uuid4()).close()


async def test_the_operators_own_writes_are_refused_too() -> None:
    api_client, rest = _guarded()
    secret: JsonObject = {"metadata": {"name": "x"}, "data": {}}
    with pytest.raises(PlanWriteRefusedError):
        await KubeApi(api_client).apply_secret("team", secret, uuid4())
    assert rest.calls == []


async def test_without_kubernetes_every_request_is_a_configuration_error() -> None:
    kube = KubeApi(unconsulted("with --bootstrap", uuid4()))
    with pytest.raises(ProtocolConfigurationError, match="Kubernetes is not consulted with --bootstrap"):
        await kube.get_namespaced("infraconnections", "team", "default", uuid4())


class SecretsKube(KubeApi):
    def __init__(self, secret: ModelSecretState | None = None, refuse: bool = False) -> None:
        self.secret = secret
        self.refuse = refuse
        self.created: list[str] = []

    async def read_secret(self, namespace: str, name: str, correlation_id: UUID) -> ModelSecretState | None:
        if self.refuse:
            context = ModelInfraErrorContext(
                transport_type=EnumInfraTransportType.HTTP, operation="get secrets"
            )
            raise InfraAuthenticationError("may not get secrets (HTTP 403)", context=context)
        return self.secret

    async def create_secret_if_absent(self, namespace: str, secret: JsonObject, correlation_id: UUID) -> bool:
        self.created.append(namespace)
        return True


async def test_a_plan_uses_the_existing_hash_key() -> None:
    key = b"k" * 32
    stored = ModelSecretState(
        data={"key": base64.b64encode(key).decode()}, labels={}, owner_uids=[], resource_version="1"
    )
    kube = SecretsKube(stored)
    assert await PlanContainer(kube).hash_key.key(uuid4()) == key
    assert kube.created == []


@pytest.mark.parametrize("refuse", [False, True], ids=["absent", "forbidden"])
async def test_a_plan_never_creates_the_hash_key(refuse: bool) -> None:
    kube = SecretsKube(refuse=refuse)
    source = PlanContainer(kube).hash_key
    key = await source.key(uuid4())
    assert len(key) == 32
    assert await source.key(uuid4()) == key  # one key for the whole plan
    assert kube.created == []


async def test_the_operator_still_creates_its_hash_key() -> None:
    kube = SecretsKube()
    await HashKeySource(kube, "onex-system", "hash-key").key(uuid4())
    assert kube.created == ["onex-system"]
