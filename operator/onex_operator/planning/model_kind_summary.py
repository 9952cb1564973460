"""One kind's share of a plan's summary. A list of these, not a mapping by kind name: a JSON key
such as "VaultSecret" reads to the sanitizer like a secret's name, and its value would be hidden."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from onex_operator.models.enum_managed_kind import EnumManagedKind


class ModelKindSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: EnumManagedKind
    counts: dict[str, int]
