"""VaultSecret in a plan: changes by key name only (never a value), ownership from the KV v2
custom_metadata (which names the live resource's uid) or, on KV v1, from the live status."""

from __future__ import annotations

from onex_operator.kube.api import JsonObject
from onex_operator.models.model_vault_secret_spec import ModelVaultSecretSpec
from onex_operator.nodes.vault_adapter.adapter import VaultObserved, VaultPlan
from onex_operator.nodes.vault_adapter.enum_ownership import EnumOwnership as EnumVaultOwnership
from onex_operator.nodes.vault_adapter.model_secret_change import ModelSecretChange
from onex_operator.nodes.vault_adapter.model_vault_observation import ModelVaultObservation
from onex_operator.nodes.vault_adapter.ownership import ownership_of
from onex_operator.planning.model_plan_step import ModelPlanStep
from onex_operator.planning.model_resource_plan import PlannedChange
from onex_operator.runtime.managed.adapter import Ownership
from onex_operator.runtime.managed.envelope import ManagedResource

SecretResource = ManagedResource[ModelVaultSecretSpec]

OWNERSHIP_NOTE = (
    "a file has no status and no uid: an existing secret counts as a resource's own only when "
    "spec.adopt is true, or its custom_metadata names the live VaultSecret of the same name by uid "
    "(KV v2), or that live VaultSecret records its path in status.path (KV v1); otherwise the operator "
    "reports ResourceConflict and leaves the secret alone"
)


class VaultSecretPresentation:
    noun = "secret"
    ownership_note = OWNERSHIP_NOTE

    def refusal(self, resource: SecretResource, live: JsonObject | None) -> str | None:
        return None  # no immutable field

    def explain(
        self, resource: SecretResource, observed: VaultObserved, ownership: Ownership, unseen: str | None
    ) -> str | None:
        secret = observed.secret
        if secret is None or not ownership.adoptable:
            return None  # nothing in Vault, or a target Secret the detail already explains
        if resource.spec.adopt:
            return "spec.adopt is true: the existing secret is taken over"
        if unseen is not None:
            return f"{unseen}, so neither a uid nor a status can show that this resource wrote the secret"
        live = f"the live VaultSecret {resource.label}"
        if resource.spec.kv_version == 1:
            recorded = resource.raw_status.get("path")
            return f"{live} records path {recorded} in its status" if recorded else f"{live} records no path"
        return _what_metadata_names(live, resource.uid, secret)

    def changes(self, plan: VaultPlan) -> list[PlannedChange]:
        return [
            change if isinstance(change, ModelSecretChange) else ModelPlanStep(text=change.describe())
            for change in plan.changes
        ]


def _what_metadata_names(live: str, uid: str, secret: ModelVaultObservation) -> str:
    verdict = ownership_of(secret, uid)
    if verdict.ownership is EnumVaultOwnership.OURS:
        return f"its custom_metadata names {live} (uid {uid})"
    if (
        verdict.ownership is EnumVaultOwnership.FOREIGN
        and f"{verdict.owner_namespace}/{verdict.owner_name}" in live
    ):
        return (
            f"its custom_metadata names an earlier VaultSecret of the same name (uid {verdict.owner_uid}), "
            f"which {live} (uid {uid}) replaces"
        )
    if verdict.ownership is EnumVaultOwnership.FOREIGN:
        return (
            f"its custom_metadata names {verdict.owner_namespace}/{verdict.owner_name} "
            f"(uid {verdict.owner_uid}), not {live} (uid {uid})"
        )
    return "its custom_metadata has no managed-by marker: onex-infra-operator did not write it"
