"""Whose secret is at a path, from its KV v2 custom_metadata."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from onex_operator.nodes.vault_adapter.enum_ownership import EnumOwnership


class ModelOwnershipVerdict(BaseModel):
    model_config = ConfigDict(frozen=True)

    ownership: EnumOwnership
    # the recorded owner, when the marker names one (not secret)
    owner_namespace: str | None = None
    owner_name: str | None = None
    owner_uid: str | None = None

    def describe(self) -> str:
        if self.ownership is EnumOwnership.FOREIGN:
            return f"managed for {self.owner_namespace}/{self.owner_name} (uid {self.owner_uid})"
        if self.ownership is EnumOwnership.UNMANAGED:
            return "exists and was not written by onex-infra-operator"
        return self.ownership.value
