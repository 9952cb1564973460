"""Pure: previous status + reconcile result -> the status to write.

Conditions follow metav1.Condition: lastTransitionTime changes only when a condition's status
changes, so GitOps tools see stable conditions while nothing changes.
"""

from __future__ import annotations

from datetime import datetime

from onex_operator.errors import error_conditions, last_error_status, sanitize
from onex_operator.models.enum_condition_status import EnumConditionStatus
from onex_operator.models.model_condition import ModelCondition
from onex_operator.nodes.infrastructure_reducer.model_reconcile_result import ModelReconcileResult

JsonStatus = dict[str, object]


def _conditions(result: ModelReconcileResult, now: datetime) -> list[ModelCondition]:
    if result.error is not None:
        return error_conditions(result.error, observed_generation=result.generation, now=now)
    message = sanitize(result.message)

    def condition(kind: str, status: bool, reason: str) -> ModelCondition:
        return ModelCondition(
            type=kind,
            status=EnumConditionStatus.TRUE if status else EnumConditionStatus.FALSE,
            observed_generation=result.generation,
            last_transition_time=now,
            reason=reason,
            message=message,
        )

    return [
        condition("Ready", result.ready, result.reason),
        condition("Reconciling", result.progressing, result.reason),
        condition("Stalled", result.stalled, result.reason),
    ]


def _keep_transition_times(new: list[JsonStatus], previous: object) -> list[JsonStatus]:
    if not isinstance(previous, list):
        return new
    before = {c.get("type"): c for c in previous if isinstance(c, dict)}
    for condition in new:
        old = before.get(condition["type"])
        if old is not None and old.get("status") == condition["status"] and old.get("lastTransitionTime"):
            condition["lastTransitionTime"] = old["lastTransitionTime"]
    return new


def reduce_status(previous: JsonStatus, result: ModelReconcileResult, now: datetime) -> JsonStatus:
    conditions = [c.model_dump(mode="json", by_alias=True) for c in _conditions(result, now)]
    status: JsonStatus = {
        "observedGeneration": result.generation,
        "conditions": _keep_transition_times(conditions, previous.get("conditions")),
        # a merge patch removes lastError with null once a reconcile succeeds
        "lastError": (
            last_error_status(result.error, now=now).model_dump(mode="json", by_alias=True, exclude_none=True)
            if result.error is not None
            else None
        ),
    }
    status.update(result.observed)
    return status


def reconciling_status(previous: JsonStatus, generation: int, now: datetime) -> JsonStatus:
    """Written before any work on a new generation: kstatus must never read a stale Ready."""
    result = ModelReconcileResult(
        generation=generation, reason="Reconciling", progressing=True, message="reconcile in progress"
    )
    return reduce_status(previous, result, now) | {"lastError": previous.get("lastError")}


def status_changed(previous: JsonStatus, new: JsonStatus) -> bool:
    """Whether writing `new` would change anything but timestamps (idle sweeps write nothing)."""
    for key, value in new.items():
        if key == "conditions":
            old = previous.get("conditions")
            if not isinstance(old, list) or _comparable(old) != _comparable(value):
                return True
        elif key == "lastError":
            old_error = previous.get("lastError")
            if (old_error is None) != (value is None):
                return True
            if (
                isinstance(old_error, dict)
                and isinstance(value, dict)
                and (old_error.get("errorClass"), old_error.get("message"))
                != (value.get("errorClass"), value.get("message"))
            ):
                return True
        elif previous.get(key) != value:
            return True
    return False


def _comparable(conditions: object) -> list[tuple[object, ...]]:
    if not isinstance(conditions, list):
        return []
    return sorted(
        (c.get("type"), c.get("status"), c.get("reason"), c.get("message"), c.get("observedGeneration"))
        for c in conditions
        if isinstance(c, dict)
    )
