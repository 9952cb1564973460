"""VaultSecret in a plan, through the operator's own VaultSecretAdapter (its connect, inputs,
observe, ownership and plan) over a fake apiserver and a fake Vault: changes by key name only,
ownership and rotation from the live resource, conflicts, errors, and no value in any output."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from uuid import UUID, uuid4

import pytest

from onex_operator.kube.api import JsonObject, KubeApi
from onex_operator.kube.model_secret_state import ModelSecretState
from onex_operator.models.enum_managed_kind import EnumManagedKind
from onex_operator.models.model_vault_secret_spec import ModelVaultSecretSpec
from onex_operator.nodes.vault_adapter.adapter import VaultSecretAdapter
from onex_operator.nodes.vault_adapter.model_vault_client_config import ModelVaultClientConfig
from onex_operator.nodes.vault_adapter.model_vault_observation import ModelVaultObservation
from onex_operator.nodes.vault_adapter.ownership import ownership_metadata
from onex_operator.planning.claims import Claims
from onex_operator.planning.enum_plan_verdict import EnumPlanVerdict
from onex_operator.planning.kinds.vault_secret import VaultSecretPresentation
from onex_operator.planning.manifest_resource import ManifestResource
from onex_operator.planning.model_plan_report import ModelPlanReport
from onex_operator.planning.model_resource_plan import ModelResourcePlan
from onex_operator.planning.plan_container import PlanContainer
from onex_operator.planning.plan_kind import PlanKind
from onex_operator.planning.render import render_json, render_text

pytestmark = pytest.mark.unit

KIND = EnumManagedKind.VAULT_SECRET
NS = "team"
TOKEN = "vault-token-canary-8d1f"


def _b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def _secret(data: dict[str, str], owner_uids: list[str] | None = None) -> ModelSecretState:
    """A Kubernetes Secret; `data` in plain text."""
    encoded = {key: _b64(value) for key, value in data.items()}
    return ModelSecretState(data=encoded, labels={}, owner_uids=owner_uids or [], resource_version="1")


class FakeKube(KubeApi):
    """An apiserver with one InfraConnection (token auth) and some Secrets; it records writes."""

    def __init__(self, secrets: dict[str, ModelSecretState] | None = None) -> None:
        self.secrets = {"vault-creds": _secret({"token": TOKEN}), **(secrets or {})}
        self.writes: list[str] = []

    async def get_namespaced(
        self, plural: str, namespace: str, name: str, correlation_id: UUID
    ) -> JsonObject | None:
        vault = {
            "address": "http://vault:8200",
            "auth": {"token": {"secretRef": {"name": "vault-creds", "key": "token"}}},
        }
        return {"spec": {"vault": vault}} if (plural, name) == ("infraconnections", "default") else None

    async def read_secret(self, namespace: str, name: str, correlation_id: UUID) -> ModelSecretState | None:
        return self.secrets.get(name) if namespace == NS else None

    async def apply_secret(self, namespace: str, secret: JsonObject, correlation_id: UUID) -> None:
        self.writes.append("apply_secret")

    async def create_secret_if_absent(self, namespace: str, secret: JsonObject, correlation_id: UUID) -> bool:
        self.writes.append("create_secret")
        return True


@dataclass
class FakeVault:
    secrets: dict[str, ModelVaultObservation] = field(default_factory=dict)
    read: list[str] = field(default_factory=list)

    async def read_secret(
        self, mount: str, path: str, kv_version: int, correlation_id: UUID, **options: object
    ) -> ModelVaultObservation | None:
        self.read.append(f"{mount}/{path}")
        return self.secrets.get(f"{mount}/{path}")

    def kv(self) -> object:
        """The VaultKv a session holds: only `read` is there, so any write fails the test."""
        vault = self

        class ReadOnlyKv:
            read = vault.read_secret

        return ReadOnlyKv()


class FakeContainer(PlanContainer):
    def __init__(self, kube: FakeKube, vault: FakeVault) -> None:
        super().__init__(kube)
        self._kv = vault.kv()

    def vault_kv(self, connection: str, config: ModelVaultClientConfig) -> object:  # type: ignore[override]
        return self._kv


def _resource(
    name: str = "db", annotations: dict[str, str] | None = None, **spec: object
) -> ManifestResource:
    raw: JsonObject = {
        "path": "app/db",
        "data": [
            {"key": "username", "value": "orders_app"},
            {"key": "password", "generate": {"length": 24}},
        ],
        **spec,
    }
    return ManifestResource(
        file="secrets.yaml",
        document=0,
        kind=KIND,
        namespace=NS,
        name=name,
        spec=ModelVaultSecretSpec.model_validate(raw),
        body={
            "apiVersion": "infra.onex.dev/v1alpha1",
            "kind": "VaultSecret",
            "metadata": {"name": name, "namespace": NS, "annotations": annotations or {}},
            "spec": raw,
        },
    )


def _live(name: str = "db", uid: str = "uid-1", **status: object) -> JsonObject:
    return {
        "metadata": {"name": name, "namespace": NS, "uid": uid, "creationTimestamp": "2026-01-01T00:00:00Z"},
        "spec": {},
        "status": status,
    }


def _in_vault(
    data: dict[str, str], owner_uid: str | None = None, kv_version: int = 2, owner_name: str = "db"
) -> ModelVaultObservation:
    metadata = ownership_metadata(NS, owner_name, owner_uid) if owner_uid else {}
    return ModelVaultObservation.model_validate(
        {
            "mount": "secret",
            "path": "app/db",
            "kv_version": kv_version,
            "data": data,
            "version": 3 if kv_version == 2 else None,
            "custom_metadata": metadata,
        }
    )


async def _plan(
    resource: ManifestResource,
    vault: FakeVault | None = None,
    kube: FakeKube | None = None,
    live: list[JsonObject] | None = None,
) -> ModelResourcePlan:
    kube = kube or FakeKube()
    adapter = VaultSecretAdapter(FakeContainer(kube, vault or FakeVault()))
    kind = PlanKind(adapter, VaultSecretPresentation(), adapter.connect)
    claims = Claims(KIND, adapter.claim_key, [resource], live or [], None)
    plan = await kind.plan(resource, claims, uuid4())
    # nothing written to Kubernetes, and no hash key Secret created for a plan
    assert kube.writes == []
    return plan


async def test_an_empty_path_is_created_key_by_key() -> None:
    vault = FakeVault()
    kube = FakeKube({"src": _secret({"api-key": "from-source"})})
    resource = _resource(
        data=[
            {"key": "username", "value": "orders_app"},
            {"key": "password", "generate": {"length": 24}},
            {"key": "api-key", "valueFrom": {"secretKeyRef": {"name": "src", "key": "api-key"}}},
        ],
        target={"name": "db-creds"},
    )
    plan = await _plan(resource, vault, kube)
    assert (plan.verdict, plan.creates) == (EnumPlanVerdict.CHANGES, True)
    assert (plan.external, plan.connection) == ("secret secret/app/db", "team/default")
    assert plan.descriptions == [
        "record ownership in custom_metadata",
        "+ api-key",
        "+ password (generated)",
        "+ username",
        "create Secret db-creds",
    ]
    assert vault.read == ["secret/app/db"]
    text = render_text(_report(plan))
    assert (
        "+ VaultSecret team/db -> secret secret/app/db on team/default  [secrets.yaml, document 0]\n" in text
    )
    assert "    + password (generated)\n" in text


async def test_an_existing_secret_is_a_conflict_unless_adopted() -> None:
    vault = FakeVault({"secret/app/db": _in_vault({"username": "someone-else", "extra": "kept"})})
    plan = await _plan(_resource(), vault)
    assert plan.verdict is EnumPlanVerdict.CONFLICT
    assert plan.conflict == (
        "secret/app/db exists and was not written by onex-infra-operator; set spec.adopt: true to manage it"
    )
    assert plan.ownership == (
        "VaultSecret team/db is not in the cluster, "
        "so neither a uid nor a status can show that this resource wrote the secret"
    )

    adopted = await _plan(_resource(adopt=True), vault)
    assert (adopted.verdict, adopted.creates) == (EnumPlanVerdict.CHANGES, False)
    assert adopted.ownership == "spec.adopt is true: the existing secret is taken over"
    assert adopted.descriptions == [
        "record ownership in custom_metadata",
        "+ password (generated)",
        "~ username (value differs)",
    ]
    pruned = await _plan(_resource(adopt=True, prune=True), vault)
    assert "- extra" in pruned.descriptions


async def test_ownership_and_rotation_come_from_the_live_resource() -> None:
    vault = FakeVault({"secret/app/db": _in_vault({"username": "orders_app", "password": "p"}, "uid-1")})
    live = [_live(rotation="r1")]
    same = await _plan(_resource(annotations={"infra.onex.dev/rotate": "r1"}), vault, live=live)
    assert (same.verdict, same.changes) == (EnumPlanVerdict.IN_SYNC, [])
    assert same.ownership == "its custom_metadata names the live VaultSecret team/db (uid uid-1)"

    rotated = await _plan(_resource(annotations={"infra.onex.dev/rotate": "r2"}), vault, live=live)
    assert (rotated.verdict, rotated.descriptions) == (EnumPlanVerdict.CHANGES, ["~ password (regenerated)"])


async def test_a_secret_another_resource_wrote_is_its_own() -> None:
    theirs = _in_vault({"username": "orders_app", "password": "p"}, "uid-2", owner_name="other")
    plan = await _plan(_resource(), FakeVault({"secret/app/db": theirs}), live=[_live(uid="uid-1")])
    assert plan.verdict is EnumPlanVerdict.CONFLICT
    assert plan.conflict is not None
    assert "managed for team/other (uid uid-2)" in plan.conflict
    assert plan.ownership == (
        "its custom_metadata names team/other (uid uid-2), not the live VaultSecret team/db (uid uid-1)"
    )


async def test_an_earlier_vault_secret_of_the_same_name_is_replaced() -> None:
    """Deleted with Retain and applied again (a GitOps re-sync): the marker is taken over."""
    vault = FakeVault({"secret/app/db": _in_vault({"username": "orders_app", "password": "p"}, "uid-2")})
    plan = await _plan(_resource(), vault, live=[_live(uid="uid-1")])
    assert plan.verdict is EnumPlanVerdict.CHANGES
    assert plan.descriptions == ["record ownership in custom_metadata"]
    assert plan.ownership == (
        "its custom_metadata names an earlier VaultSecret of the same name (uid uid-2), "
        "which the live VaultSecret team/db (uid uid-1) replaces"
    )


async def test_kv1_ownership_is_the_path_the_live_status_records() -> None:
    vault = FakeVault({"secret/app/db": _in_vault({"username": "orders_app", "password": "p"}, kv_version=1)})
    plan = await _plan(_resource(kvVersion=1), vault, live=[_live(path="app/db")])
    assert plan.verdict is EnumPlanVerdict.IN_SYNC
    assert plan.ownership == "the live VaultSecret team/db records path app/db in its status"
    assert (await _plan(_resource(kvVersion=1), vault)).verdict is EnumPlanVerdict.CONFLICT


async def test_a_target_secret_someone_else_owns_is_never_taken() -> None:
    kube = FakeKube({"db-creds": _secret({}, owner_uids=["uid-x"])})
    plan = await _plan(_resource(adopt=True, target={"name": "db-creds"}), kube=kube)
    assert plan.verdict is EnumPlanVerdict.CONFLICT
    assert plan.conflict is not None
    assert plan.conflict.startswith("Secret db-creds exists and is not owned by this VaultSecret")
    assert plan.ownership is None


async def test_a_missing_source_secret_is_a_classified_error() -> None:
    resource = _resource(data=[{"key": "k", "valueFrom": {"secretKeyRef": {"name": "absent", "key": "k"}}}])
    plan = await _plan(resource)
    assert plan.verdict is EnumPlanVerdict.ERROR
    assert plan.error is not None
    assert plan.error.error_class.value == "SecretResolutionError"
    assert plan.connection == "team/default"


async def test_no_value_reaches_the_output() -> None:
    """Canaries as a literal value, a source Secret's value and values already in Vault (a key the
    spec changes and a key it does not name) are in no rendering of the plan, nor hidden in it."""
    literal, source, existing, other = (
        f"{what}-canary-{uuid4().hex[:8]}" for what in ("lit", "src", "old", "x")
    )
    kube = FakeKube({"src": _secret({"api-key": source})})
    vault = FakeVault({"secret/app/db": _in_vault({"username": existing, "unnamed": other})})
    resource = _resource(
        adopt=True,
        prune=True,
        data=[
            {"key": "username", "value": literal},
            {"key": "api-key", "valueFrom": {"secretKeyRef": {"name": "src", "key": "api-key"}}},
            {"key": "password", "generate": {"length": 24}},
        ],
        target={"name": "db-creds"},
    )
    plan = await _plan(resource, vault, kube)
    assert plan.descriptions == [
        "record ownership in custom_metadata",
        "+ api-key",
        "+ password (generated)",
        "~ username (value differs)",
        "- unnamed",
        "create Secret db-creds",
    ]
    report = _report(plan)
    for output in (render_text(report), render_json(report), repr(report)):
        for canary in (literal, source, existing, other, TOKEN):
            assert canary not in output
        assert "***" not in output  # nothing had to be hidden: no value was ever in the report
    assert json.loads(render_json(report))["resources"][0]["changes"][3] == {
        "kind": "update",
        "key": "username",
        "generated": False,
    }


def _report(*plans: ModelResourcePlan) -> ModelPlanReport:
    return ModelPlanReport(
        correlation_id=uuid4(), connections="each resource's spec.connectionRef", resources=list(plans)
    )
