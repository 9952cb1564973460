"""The Kubernetes Secret a VaultSecret keeps equal to its Vault secret: owned by the VaultSecret
(garbage-collected with it), labelled as ours, never written when someone else owns it."""

from __future__ import annotations

import base64
from collections.abc import Mapping

from onex_operator.kube.api import JsonObject
from onex_operator.kube.model_secret_state import ModelSecretState

MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
MANAGED_BY = "onex-infra-operator"


def encoded(data: Mapping[str, str]) -> dict[str, str]:
    return {key: base64.b64encode(value.encode()).decode() for key, value in data.items()}


def owned(state: ModelSecretState, owner_uid: str) -> bool:
    return owner_uid in state.owner_uids


def in_sync(state: ModelSecretState | None, data: Mapping[str, str]) -> bool:
    return (
        state is not None and state.data == encoded(data) and state.labels.get(MANAGED_BY_LABEL) == MANAGED_BY
    )


def target_secret(
    *,
    name: str,
    data: Mapping[str, str],
    owner: JsonObject,
    existing: ModelSecretState | None,
) -> JsonObject:
    """The Secret to create, or to replace `existing` with (its resourceVersion guards the write)."""
    metadata = owner.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    labels = dict(existing.labels) if existing is not None else {}
    labels[MANAGED_BY_LABEL] = MANAGED_BY
    secret_metadata: JsonObject = {
        "name": name,
        "labels": labels,
        "ownerReferences": [
            {
                "apiVersion": owner.get("apiVersion"),
                "kind": owner.get("kind"),
                "name": metadata.get("name"),
                "uid": metadata.get("uid"),
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ],
    }
    if existing is not None:
        secret_metadata["resourceVersion"] = existing.resource_version
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": secret_metadata,
        "type": "Opaque",
        "data": encoded(data),
    }
