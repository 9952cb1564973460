"""Desired (spec) vs observed (Vault) -> the data to write and the changes, by key. Pure: no I/O, so
`onex-infra plan` and the operator share it; generation is injected.

- literal and valueFrom keys take the desired value;
- generated keys keep the value Vault has; they are generated when missing, and regenerated for
  every generated key when `rotate` is set;
- keys Vault has that the spec does not name are kept, unless `prune`;
- no changes -> nothing to write.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from onex_operator.models.model_generated_value import ModelGeneratedValue
from onex_operator.nodes.vault_adapter.enum_secret_change_kind import EnumSecretChangeKind
from onex_operator.nodes.vault_adapter.model_secret_change import ModelSecretChange
from onex_operator.nodes.vault_adapter.model_secret_plan import ModelSecretPlan


class ProtocolValueGenerator(Protocol):
    """Makes a new value for a generated key (`generate.generate_value` in the operator)."""

    def __call__(self, spec: ModelGeneratedValue, /) -> str: ...


def plan_secret(
    *,
    desired: Mapping[str, str],
    generated: Mapping[str, ModelGeneratedValue],
    observed: Mapping[str, str] | None,
    prune: bool,
    rotate: bool,
    generate: ProtocolValueGenerator,
) -> ModelSecretPlan:
    both = sorted(set(desired) & set(generated))
    if both:
        raise ValueError(f"keys both given and generated: {', '.join(both)}")
    current = dict(observed or {})
    data: dict[str, str] = {}
    changes: list[ModelSecretChange] = []
    for key in sorted([*desired, *generated]):
        if key in desired:
            value = desired[key]
            if key not in current:
                changes.append(ModelSecretChange(kind=EnumSecretChangeKind.ADD, key=key))
            elif current[key] != value:
                changes.append(ModelSecretChange(kind=EnumSecretChangeKind.UPDATE, key=key))
            data[key] = value
        elif key not in current:
            data[key] = generate(generated[key])
            changes.append(ModelSecretChange(kind=EnumSecretChangeKind.ADD, key=key, generated=True))
        elif rotate:
            data[key] = generate(generated[key])
            changes.append(ModelSecretChange(kind=EnumSecretChangeKind.REGENERATE, key=key, generated=True))
        else:
            data[key] = current[key]
    for key in sorted(current):
        if key in data:
            continue
        if prune:
            changes.append(ModelSecretChange(kind=EnumSecretChangeKind.REMOVE, key=key))
        else:
            data[key] = current[key]
    return ModelSecretPlan(data=data, managed_keys=sorted({*desired, *generated}), changes=changes)
