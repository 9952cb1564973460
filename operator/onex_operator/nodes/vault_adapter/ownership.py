"""Ownership of a KV v2 secret, recorded in its custom_metadata.

KV v1 has no metadata: an existing v1 secret is always UNMANAGED by this verdict.
"""

from __future__ import annotations

from onex_operator.nodes.vault_adapter.enum_ownership import EnumOwnership
from onex_operator.nodes.vault_adapter.model_ownership_verdict import ModelOwnershipVerdict
from onex_operator.nodes.vault_adapter.model_vault_observation import ModelVaultObservation

MANAGED_BY_KEY = "managed-by"
MANAGED_BY_VALUE = "onex-infra-operator"
OWNER_NAMESPACE_KEY = "owner-namespace"
OWNER_NAME_KEY = "owner-name"
OWNER_UID_KEY = "owner-uid"
OWNERSHIP_KEYS = (MANAGED_BY_KEY, OWNER_NAMESPACE_KEY, OWNER_NAME_KEY, OWNER_UID_KEY)


def ownership_metadata(namespace: str, name: str, uid: str) -> dict[str, str]:
    """The custom_metadata the operator writes on a secret it manages."""
    return {
        MANAGED_BY_KEY: MANAGED_BY_VALUE,
        OWNER_NAMESPACE_KEY: namespace,
        OWNER_NAME_KEY: name,
        OWNER_UID_KEY: uid,
    }


def with_ownership(existing: dict[str, str], namespace: str, name: str, uid: str) -> dict[str, str]:
    """`existing` custom_metadata with our marker set: writing custom_metadata replaces all of it, so
    keys others put there are carried over."""
    return {**existing, **ownership_metadata(namespace, name, uid)}


def ownership_of(observation: ModelVaultObservation | None, uid: str) -> ModelOwnershipVerdict:
    if observation is None:
        return ModelOwnershipVerdict(ownership=EnumOwnership.ABSENT)
    metadata = observation.custom_metadata
    if metadata.get(MANAGED_BY_KEY) != MANAGED_BY_VALUE:
        return ModelOwnershipVerdict(ownership=EnumOwnership.UNMANAGED)
    owner_uid = metadata.get(OWNER_UID_KEY)
    return ModelOwnershipVerdict(
        ownership=EnumOwnership.OURS if owner_uid == uid else EnumOwnership.FOREIGN,
        owner_namespace=metadata.get(OWNER_NAMESPACE_KEY),
        owner_name=metadata.get(OWNER_NAME_KEY),
        owner_uid=owner_uid,
    )


def owned_by(observation: ModelVaultObservation | None, uid: str) -> bool:
    return ownership_of(observation, uid).ownership is EnumOwnership.OURS
