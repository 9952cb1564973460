"""What one reconcile produced, before it becomes status."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from onex_operator.errors import RuntimeHostError

# a kind's own status fields: scalars and lists of names, never a secret value
StatusFields = dict[str, str | int | bool | list[str] | None]


class ModelReconcileResult(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    generation: int
    # exactly one of: success (ready), a classified error, or a domain reason that is not an error
    ready: bool = False
    error: RuntimeHostError | None = None
    reason: str = "Reconciled"
    message: str = ""
    stalled: bool = False
    progressing: bool = False
    # kind-specific observed fields, already in the CRD's camelCase
    observed: StatusFields = {}
