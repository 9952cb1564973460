"""Desired registration vs the agent's -> the changes, by field and check name. Pure: no I/O, so
`onex-infra plan` and the operator share it.

- nothing registered -> register (the service with every check);
- name, address, port, tags (as a set), meta (every key, ours included) and the checks (by name:
  added, removed, or changed in id, type, interval, timeout or definition fingerprint) are compared;
  a check's timeout the spec leaves out is Consul's default, never drift;
- a check's state (passing, critical) is never drift: it is reported in status.
"""

from __future__ import annotations

from onex_operator.nodes.consul_adapter.enum_service_change_kind import EnumServiceChangeKind
from onex_operator.nodes.consul_adapter.model_consul_observation import (
    ModelConsulCheckObservation,
    ModelConsulServiceObservation,
)
from onex_operator.nodes.consul_adapter.model_consul_registration import (
    ModelConsulCheckDefinition,
    ModelConsulRegistration,
)
from onex_operator.nodes.consul_adapter.model_service_change import ModelServiceChange
from onex_operator.nodes.consul_adapter.model_service_plan import ModelServicePlan
from onex_operator.nodes.consul_adapter.registration import seconds

_KIND = EnumServiceChangeKind


def plan_service(
    desired: ModelConsulRegistration, observed: ModelConsulServiceObservation | None
) -> ModelServicePlan:
    service_id = desired.service_id
    if observed is None:
        count = len(desired.checks)
        detail = f"{count} check{'s' if count != 1 else ''}" if count else ""
        register = ModelServiceChange(kind=_KIND.REGISTER, service_id=service_id, detail=detail)
        return ModelServicePlan(registration=desired, changes=[register])
    changes: list[ModelServiceChange] = []

    def field(name: str, old: str, new: str) -> None:
        if old != new:
            changes.append(
                ModelServiceChange(kind=_KIND.UPDATE, service_id=service_id, field=name, old=old, new=new)
            )

    field("serviceName", observed.name, desired.name)
    field("address", observed.address, desired.address)
    field("port", str(observed.port), str(desired.port))
    if sorted(observed.tags) != sorted(desired.tags):
        field("tags", ",".join(observed.tags), ",".join(desired.tags))
    changes += _meta_changes(service_id, observed.meta, desired.meta)
    changes += _check_changes(service_id, observed.checks, desired.checks)
    return ModelServicePlan(registration=desired, changes=changes)


def deregistration(service_id: str) -> ModelServiceChange:
    """The change a deletion by policy makes (for `onex-infra plan` of a deleted resource)."""
    return ModelServiceChange(kind=_KIND.DEREGISTER, service_id=service_id)


def _meta_changes(
    service_id: str, observed: dict[str, str], desired: dict[str, str]
) -> list[ModelServiceChange]:
    changes = []
    for key in sorted(set(observed) | set(desired)):
        if key not in observed:
            detail = "missing"
        elif key not in desired:
            detail = "not in spec"
        elif observed[key] != desired[key]:
            detail = "value differs"
        else:
            continue
        changes.append(
            ModelServiceChange(kind=_KIND.UPDATE, service_id=service_id, field=f"meta {key}", detail=detail)
        )
    return changes


def _check_changes(
    service_id: str,
    observed: tuple[ModelConsulCheckObservation, ...],
    desired: tuple[ModelConsulCheckDefinition, ...],
) -> list[ModelServiceChange]:
    found = {check.name: check for check in observed}
    wanted = {check.name: check for check in desired}
    changes = []
    for name in sorted(set(found) | set(wanted)):
        if name not in found:
            changes.append(ModelServiceChange(kind=_KIND.ADD_CHECK, service_id=service_id, field=name))
        elif name not in wanted:
            changes.append(ModelServiceChange(kind=_KIND.REMOVE_CHECK, service_id=service_id, field=name))
        else:
            differences = _check_differences(found[name], wanted[name])
            if differences:
                changes.append(
                    ModelServiceChange(
                        kind=_KIND.UPDATE_CHECK,
                        service_id=service_id,
                        field=name,
                        detail=", ".join(differences),
                    )
                )
    return changes


def _check_differences(
    observed: ModelConsulCheckObservation, desired: ModelConsulCheckDefinition
) -> list[str]:
    differences = []
    if observed.check_id != desired.check_id:
        differences.append(f"id {observed.check_id} -> {desired.check_id}")
    if observed.kind != desired.kind.value:
        differences.append(f"type {observed.kind or '(none)'} -> {desired.kind.value}")
    if desired.interval is not None and seconds(observed.interval) != seconds(desired.interval):
        differences.append(f"interval {observed.interval or '(none)'} -> {desired.interval}")
    if desired.timeout is not None and seconds(observed.timeout) != seconds(desired.timeout):
        differences.append(f"timeout {observed.timeout or '(none)'} -> {desired.timeout}")
    if not differences and observed.notes != desired.notes:
        differences.append("definition differs")
    return differences
