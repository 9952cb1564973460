"""One change to a KV secret, by key name only: a change never carries a value."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from onex_operator.nodes.vault_adapter.enum_secret_change_kind import EnumSecretChangeKind


class ModelSecretChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: EnumSecretChangeKind
    key: str
    generated: bool = False

    def describe(self) -> str:
        if self.kind is EnumSecretChangeKind.ADD:
            return f"+ {self.key} (generated)" if self.generated else f"+ {self.key}"
        if self.kind is EnumSecretChangeKind.UPDATE:
            return f"~ {self.key} (value differs)"
        if self.kind is EnumSecretChangeKind.REGENERATE:
            return f"~ {self.key} (regenerated)"
        return f"- {self.key}"
