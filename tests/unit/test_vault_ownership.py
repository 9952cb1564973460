"""Ownership verdicts from KV v2 custom_metadata."""

from __future__ import annotations

import pytest

from onex_operator.nodes.vault_adapter.enum_ownership import EnumOwnership
from onex_operator.nodes.vault_adapter.model_vault_observation import ModelVaultObservation
from onex_operator.nodes.vault_adapter.ownership import (
    owned_by,
    ownership_metadata,
    ownership_of,
    with_ownership,
)

pytestmark = pytest.mark.unit

UID = "8d5e2b1c-0000-4000-8000-000000000001"


def _observed(custom_metadata: dict[str, str], kv_version: int = 2) -> ModelVaultObservation:
    return ModelVaultObservation.model_validate(
        {
            "mount": "secret",
            "path": "a/b",
            "kv_version": kv_version,
            "data": {"k": "v"},
            "version": 1 if kv_version == 2 else None,
            "custom_metadata": custom_metadata,
        }
    )


def test_metadata_we_write() -> None:
    assert ownership_metadata("team-a", "orders-db", UID) == {
        "managed-by": "onex-infra-operator",
        "owner-namespace": "team-a",
        "owner-name": "orders-db",
        "owner-uid": UID,
    }


def test_with_ownership_keeps_foreign_keys() -> None:
    merged = with_ownership({"team": "payments", "owner-uid": "old"}, "ns", "name", UID)
    assert merged["team"] == "payments"
    assert merged["owner-uid"] == UID


def test_verdicts() -> None:
    ours = _observed(ownership_metadata("ns", "name", UID))
    assert ownership_of(ours, UID).ownership is EnumOwnership.OURS
    assert owned_by(ours, UID)

    other = ownership_of(ours, "another-uid")
    assert other.ownership is EnumOwnership.FOREIGN
    assert (other.owner_namespace, other.owner_name, other.owner_uid) == ("ns", "name", UID)
    assert "ns/name" in other.describe()
    assert not owned_by(ours, "another-uid")

    assert ownership_of(_observed({"team": "x"}), UID).ownership is EnumOwnership.UNMANAGED
    assert ownership_of(_observed({}, kv_version=1), UID).ownership is EnumOwnership.UNMANAGED
    assert ownership_of(None, UID).ownership is EnumOwnership.ABSENT
    assert not owned_by(None, UID)


def test_marker_of_another_tool_is_not_ours() -> None:
    metadata = {**ownership_metadata("ns", "name", UID), "managed-by": "external-secrets"}
    assert ownership_of(_observed(metadata), UID).ownership is EnumOwnership.UNMANAGED


def test_observation_repr_hides_values() -> None:
    observed = _observed({})
    assert "'v'" not in repr(observed)
    assert " data=" not in repr(observed)
