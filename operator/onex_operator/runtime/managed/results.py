"""Reconcile results in the shape the reducer turns into status, and their labels for metrics."""

from __future__ import annotations

from dataclasses import dataclass

from onex_operator.errors import EnumRetryPolicy, classify
from onex_operator.kube.api import JsonObject
from onex_operator.nodes.infrastructure_reducer.model_reconcile_result import ModelReconcileResult

CONFLICT = "ResourceConflict"
DRIFT_DETECTED = "DriftDetected"
IN_SYNC = "InSync"
DEPENDENCY_NOT_READY = "DependencyNotReady"


@dataclass(frozen=True)
class ReconcileReport:
    """What the caller should do next: retry after a delay, or nothing (Ready or Stalled)."""

    retry_policy: EnumRetryPolicy | None
    ready: bool


def conflict(generation: int, message: str) -> ModelReconcileResult:
    return ModelReconcileResult(generation=generation, reason=CONFLICT, stalled=True, message=message)


def report_of(result: ModelReconcileResult) -> ReconcileReport:
    if result.error is not None:
        verdict = classify(result.error)
        return ReconcileReport(retry_policy=verdict.retry_policy if verdict.retryable else None, ready=False)
    if result.progressing:
        return ReconcileReport(retry_policy=EnumRetryPolicy.BACKOFF, ready=False)
    return ReconcileReport(retry_policy=None, ready=result.ready)


def label_of(result: ModelReconcileResult) -> str:
    if result.error is not None:
        return "error"
    if result.reason == CONFLICT:
        return "conflict"
    if result.reason == DEPENDENCY_NOT_READY:
        return "dependency_not_ready"
    if result.reason in {DRIFT_DETECTED, IN_SYNC}:
        return "observed"
    return "success"


def ready_reason(status: JsonObject) -> object:
    conditions = status.get("conditions")
    if isinstance(conditions, list):
        for condition in conditions:
            if isinstance(condition, dict) and condition.get("type") == "Ready":
                return condition.get("reason")
    return None
