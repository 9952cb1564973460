"""VaultSecret as a managed-resource adapter, on Vault or OpenBao through hvac.

Ownership: KV v2 secrets carry ours in custom_metadata (written before the data, so a crash in
between leaves a secret we still recognise); KV v1 has no metadata, so a v1 secret is ours when
status.path records it (claimed before the first write). The target Kubernetes Secret is ours when
its ownerReference names this VaultSecret; a Secret owned by anyone else is never written, adopt or
not. Values live only in memory and in Vault; status carries a keyed hash.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from onex_operator.container import ONEXContainer
from onex_operator.errors import ModelInfraErrorContext, ProtocolConfigurationError
from onex_operator.kube.api import JsonObject
from onex_operator.kube.model_secret_state import ModelSecretState
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType
from onex_operator.models.enum_managed_kind import EnumManagedKind
from onex_operator.models.enum_management_policy import EnumManagementPolicy
from onex_operator.models.model_generated_value import ModelGeneratedValue
from onex_operator.models.model_vault_secret_spec import ModelVaultSecretSpec
from onex_operator.nodes.connection_resolver.keys import connection_key
from onex_operator.nodes.connection_resolver.resolve import secret_value
from onex_operator.nodes.infrastructure_reducer.model_reconcile_result import StatusFields
from onex_operator.nodes.vault_adapter.client import VaultKv
from onex_operator.nodes.vault_adapter.connection import vault_connection
from onex_operator.nodes.vault_adapter.enum_ownership import EnumOwnership as EnumVaultOwnership
from onex_operator.nodes.vault_adapter.generate import generate_value
from onex_operator.nodes.vault_adapter.hashing import data_hash
from onex_operator.nodes.vault_adapter.model_ownership_verdict import ModelOwnershipVerdict
from onex_operator.nodes.vault_adapter.model_secret_change import ModelSecretChange
from onex_operator.nodes.vault_adapter.model_secret_plan import ModelSecretPlan
from onex_operator.nodes.vault_adapter.model_vault_observation import ModelVaultObservation
from onex_operator.nodes.vault_adapter.ownership import owned_by, ownership_of, with_ownership
from onex_operator.nodes.vault_adapter.paths import effective_path
from onex_operator.nodes.vault_adapter.plan import plan_secret
from onex_operator.nodes.vault_adapter.target import (
    MANAGED_BY,
    MANAGED_BY_LABEL,
    encoded,
    in_sync,
    owned,
    target_secret,
)
from onex_operator.runtime.managed.adapter import EnumOwnership, Ownership
from onex_operator.runtime.managed.envelope import ManagedResource

SecretResource = ManagedResource[ModelVaultSecretSpec]
_VAULT = EnumInfraTransportType.VAULT
ROTATE_ANNOTATION = "rotate"


@dataclass(frozen=True)
class VaultSession:
    label: str
    kv: VaultKv
    path_prefix: str | None
    hash_key: bytes = field(repr=False)


@dataclass(frozen=True)
class VaultInputs:
    """Values for literal and valueFrom keys (registered with the sanitizer), and the generated keys."""

    desired: dict[str, str] = field(repr=False)
    generated: dict[str, ModelGeneratedValue]


@dataclass(frozen=True)
class VaultObserved:
    path: str  # the effective path: pathPrefix and path
    secret: ModelVaultObservation | None
    target: ModelSecretState | None
    data_hash: str | None  # of the managed keys' current values


@dataclass(frozen=True)
class VaultStep:
    """A change beside the keys: recording ownership, syncing the target Secret."""

    text: str

    def describe(self) -> str:
        return self.text


@dataclass(frozen=True)
class VaultPlan:
    path: str
    secret: ModelSecretPlan
    record_ownership: bool
    sync_target: bool
    changes: list[ModelSecretChange | VaultStep]
    refusals: list[str] = field(default_factory=list)


class VaultSecretAdapter:
    kind = EnumManagedKind.VAULT_SECRET
    plural = "vaultsecrets"
    transport = _VAULT

    def __init__(self, container: ONEXContainer) -> None:
        self._container = container

    def parse_spec(self, raw: JsonObject) -> ModelVaultSecretSpec:
        return ModelVaultSecretSpec.model_validate(raw)

    def claim_key(self, body: JsonObject) -> str:
        # the namespace is part of the key: a pathPrefix with {namespace} keeps namespaces apart,
        # and across namespaces the custom_metadata marker tells owners apart anyway
        spec = body.get("spec")
        spec = spec if isinstance(spec, dict) else {}
        metadata = body.get("metadata")
        namespace = metadata.get("namespace", "") if isinstance(metadata, dict) else ""
        return f"{connection_key(body)}#{namespace}#{spec.get('mount', 'secret')}/{spec.get('path', '')}"

    def external_name(self, resource: SecretResource) -> str:
        return f"secret {resource.spec.mount}/{resource.spec.path}"

    def secret_refs(self, resource: SecretResource) -> set[str]:
        return {item.value_from.secret_key_ref.name for item in resource.spec.data if item.value_from}

    async def connect(self, resource: SecretResource, correlation_id: UUID) -> VaultSession:
        container, spec = self._container, resource.spec
        connection = await container.vault_connections.get(
            (resource.namespace, spec.connection_ref),
            lambda: vault_connection(
                container.kube,
                resource.namespace,
                spec.connection_ref,
                container.settings.service_account_token_path,
                correlation_id,
            ),
        )
        return VaultSession(
            label=connection.label,
            kv=container.vault_kv(connection.label, connection.config),
            path_prefix=connection.path_prefix,
            hash_key=await container.hash_key.key(correlation_id),
        )

    def connection_label(self, session: VaultSession) -> str:
        return session.label

    async def inputs(
        self, session: VaultSession, resource: SecretResource, correlation_id: UUID
    ) -> VaultInputs:
        desired: dict[str, str] = {}
        generated: dict[str, ModelGeneratedValue] = {}
        seen: set[str] = set()
        for item in resource.spec.data:
            if item.key in seen:
                raise ProtocolConfigurationError(
                    f"key {item.key} is named twice in data",
                    context=_context("plan", resource.label, correlation_id),
                )
            seen.add(item.key)
            if item.value is not None:
                desired[item.key] = item.value
            elif item.value_from is not None:
                desired[item.key] = await secret_value(
                    self._container.kube,
                    resource.namespace,
                    item.value_from.secret_key_ref,
                    _VAULT,
                    correlation_id,
                )
            elif item.generate is not None:
                generated[item.key] = item.generate
            else:
                raise ProtocolConfigurationError(
                    f"key {item.key} has no value, valueFrom or generate",
                    context=_context("plan", resource.label, correlation_id),
                )
        return VaultInputs(desired=desired, generated=generated)

    async def observe(
        self, session: VaultSession, resource: SecretResource, correlation_id: UUID
    ) -> VaultObserved:
        spec = resource.spec
        path = effective_path(
            path=spec.path,
            path_prefix=session.path_prefix,
            namespace=resource.namespace,
            mount=spec.mount,
            correlation_id=correlation_id,
        )
        secret = await session.kv.read(
            spec.mount, path, spec.kv_version, correlation_id, public=_literals(spec)
        )
        target = (
            await self._container.kube.read_secret(resource.namespace, spec.target.name, correlation_id)
            if spec.target is not None
            else None
        )
        managed = _managed_values(secret, {item.key for item in spec.data})
        return VaultObserved(
            path=path,
            secret=secret,
            target=target,
            data_hash=data_hash(session.hash_key, managed) if managed is not None else None,
        )

    def ownership(self, resource: SecretResource, observed: VaultObserved, status: JsonObject) -> Ownership:
        spec = resource.spec
        if (
            spec.target is not None
            and observed.target is not None
            and not owned(observed.target, resource.uid)
        ):
            return Ownership(
                EnumOwnership.FOREIGN,
                detail=f"Secret {spec.target.name} exists and is not owned by this VaultSecret; "
                "the operator never overwrites a Secret it does not own",
                adoptable=False,
            )
        secret = observed.secret
        if secret is None:
            return Ownership(EnumOwnership.ABSENT)
        if spec.kv_version == 1:
            claimed = status.get("path") == observed.path
            return Ownership(EnumOwnership.OURS if claimed else EnumOwnership.FOREIGN)
        verdict = ownership_of(secret, resource.uid)
        if verdict.ownership is EnumVaultOwnership.OURS or _earlier_incarnation(verdict, resource):
            return Ownership(EnumOwnership.OURS)
        return Ownership(
            EnumOwnership.FOREIGN,
            detail=f"{spec.mount}/{observed.path} {verdict.describe()}; set spec.adopt: true to manage it",
        )

    def plan(
        self,
        resource: SecretResource,
        inputs: VaultInputs,
        observed: VaultObserved,
        status: JsonObject,
        ownership: Ownership,
    ) -> VaultPlan:
        spec = resource.spec
        secret = observed.secret
        rotation = resource.annotation(ROTATE_ANNOTATION)
        secret_plan = plan_secret(
            desired=inputs.desired,
            generated=inputs.generated,
            observed=secret.data if secret is not None and secret.has_data else None,
            prune=spec.prune,
            rotate=rotation is not None and rotation != status.get("rotation"),
            generate=generate_value,
        )
        changes: list[ModelSecretChange | VaultStep] = list(secret_plan.changes)
        # Observe writes nothing, the marker neither: a secret it watches is never ours, and that
        # is not drift
        record_ownership = (
            spec.kv_version == 2
            and not owned_by(secret, resource.uid)
            and spec.management_policy is EnumManagementPolicy.MANAGE
        )
        if record_ownership:
            changes.insert(0, VaultStep("record ownership in custom_metadata"))
        sync_target = spec.target is not None and not in_sync(observed.target, secret_plan.data)
        if spec.target is not None and sync_target:
            verb = "create" if observed.target is None else "sync"
            changes.append(VaultStep(f"{verb} Secret {spec.target.name}"))
        return VaultPlan(
            path=observed.path,
            secret=secret_plan,
            record_ownership=record_ownership,
            sync_target=sync_target,
            changes=changes,
        )

    def claim(self, resource: SecretResource, plan: VaultPlan) -> StatusFields:
        return {"path": plan.path}

    async def apply(
        self,
        session: VaultSession,
        resource: SecretResource,
        plan: VaultPlan,
        observed: VaultObserved,
        correlation_id: UUID,
    ) -> VaultObserved:
        spec, secret = resource.spec, observed.secret
        custom_metadata = dict(secret.custom_metadata) if secret is not None else {}
        if plan.record_ownership:
            custom_metadata = with_ownership(custom_metadata, resource.namespace, resource.name, resource.uid)
            await session.kv.write_custom_metadata(spec.mount, plan.path, custom_metadata, correlation_id)
        version = secret.version if secret is not None else None
        if plan.secret.needs_write:
            # check-and-set: a secret changed since it was read is not overwritten (retried instead)
            cas = (version or 0) if spec.kv_version == 2 else None
            version = await session.kv.write(
                spec.mount,
                plan.path,
                plan.secret.data,
                spec.kv_version,
                correlation_id,
                cas=cas,
                public=_literals(spec),
            )
        target = observed.target
        if spec.target is not None and plan.sync_target:
            body = target_secret(
                name=spec.target.name, data=plan.secret.data, owner=resource.body, existing=observed.target
            )
            await self._container.kube.apply_secret(resource.namespace, body, correlation_id)
            target = ModelSecretState(
                data=encoded(plan.secret.data),
                labels={MANAGED_BY_LABEL: MANAGED_BY},
                owner_uids=[resource.uid],
                resource_version="",  # unknown until read again; only a replace needs it
            )
        written = ModelVaultObservation(
            mount=spec.mount,
            path=plan.path,
            kv_version=spec.kv_version,
            data=plan.secret.data,
            version=version,
            custom_metadata=custom_metadata,
        )
        managed = _managed_values(written, set(plan.secret.managed_keys)) or {}
        return VaultObserved(
            path=plan.path, secret=written, target=target, data_hash=data_hash(session.hash_key, managed)
        )

    def status_fields(self, resource: SecretResource, observed: VaultObserved) -> StatusFields:
        spec = resource.spec
        fields: StatusFields = {
            "path": observed.path,
            "version": observed.secret.version if observed.secret is not None else None,
            "dataHash": observed.data_hash,
            "keys": sorted(item.key for item in spec.data),
            "targetSecret": spec.target.name if spec.target is not None else None,
        }
        if spec.management_policy is EnumManagementPolicy.MANAGE:
            # reached only when the reconcile succeeded: the rotation it asked for is done
            fields["rotation"] = resource.annotation(ROTATE_ANNOTATION)
        return fields

    async def delete(
        self, session: VaultSession, resource: SecretResource, observed: VaultObserved, correlation_id: UUID
    ) -> None:
        # the target Secret goes with the VaultSecret (its ownerReference); Vault's copy goes here
        await session.kv.delete_everything(
            resource.spec.mount, observed.path, resource.spec.kv_version, correlation_id
        )


def _literals(spec: ModelVaultSecretSpec) -> dict[str, str]:
    """The spec's literal values: the custom resource holds them in clear text (the contract asks
    for non-secret configuration there), so they are not registered with the sanitizer."""
    return {item.key: item.value for item in spec.data if item.value is not None}


def _earlier_incarnation(verdict: ModelOwnershipVerdict, resource: SecretResource) -> bool:
    """The marker names this namespace and name with another uid: a VaultSecret deleted with Retain
    and applied again (as GitOps tools do). Names are unique in a namespace, so the earlier one is
    gone and this one takes its place; its marker is rewritten at the next write."""
    return (
        verdict.ownership is EnumVaultOwnership.FOREIGN
        and verdict.owner_namespace == resource.namespace
        and verdict.owner_name == resource.name
    )


def _managed_values(secret: ModelVaultObservation | None, keys: set[str]) -> dict[str, str] | None:
    if secret is None or not secret.has_data:
        return None
    return {key: value for key, value in secret.data.items() if key in keys}


def _context(operation: str, target: str, correlation_id: UUID) -> ModelInfraErrorContext:
    return ModelInfraErrorContext(
        transport_type=_VAULT, operation=operation, target_name=target, correlation_id=correlation_id
    )
