"""A plan report as text (diff-like, in the manner of `terraform plan`) or as JSON."""

from __future__ import annotations

import json

from onex_operator.nodes.kafka_adapter.enum_topic_change_kind import EnumTopicChangeKind
from onex_operator.nodes.kafka_adapter.model_topic_change import ModelTopicChange
from onex_operator.planning.enum_plan_verdict import EnumPlanVerdict
from onex_operator.planning.model_plan_report import ModelPlanReport
from onex_operator.planning.model_resource_plan import ModelResourcePlan

_INDENT = "    "
# count key -> (words for one, words for many)
_SUMMARY_WORDS = {
    "create": ("to create", "to create"),
    "change": ("to change", "to change"),
    "in_sync": ("in sync", "in sync"),
    "drift": ("drift (Observe)", "drift (Observe)"),
    "refused": ("refused", "refused"),
    "conflict": ("conflict", "conflicts"),
    "error": ("error", "errors"),
    "skipped": ("skipped", "skipped"),
    "invalid": ("invalid", "invalid"),
}
_ALWAYS_SHOWN = ("create", "change", "in_sync")


def _quoted(value: str | None) -> str:
    return "(default)" if value is None else json.dumps(value)


def change_lines(change: ModelTopicChange) -> list[str]:
    if change.kind is EnumTopicChangeKind.CREATE:
        partitions = change.partitions if change.partitions is not None else "broker default"
        replicas = change.replication_factor if change.replication_factor is not None else "broker default"
        head = f"+ create topic {change.topic} (partitions {partitions}, replication factor {replicas})"
        return [head, *(f"    {key} = {_quoted(value)}" for key, value in sorted(change.config.items()))]
    if change.kind is EnumTopicChangeKind.ADD_PARTITIONS:
        return [f"+ add partitions: {change.old_value} -> {change.partitions}"]
    if change.kind is EnumTopicChangeKind.SET_CONFIG:
        return [f"~ set {change.config_key}: {_quoted(change.old_value)} -> {_quoted(change.new_value)}"]
    return [f"- remove {change.config_key} (was {_quoted(change.old_value)}; the broker default applies)"]


def _symbol(plan: ModelResourcePlan) -> str:
    if plan.verdict is EnumPlanVerdict.CHANGES:
        creates = any(change.kind is EnumTopicChangeKind.CREATE for change in plan.changes)
        return "+" if creates else "~"
    if plan.verdict is EnumPlanVerdict.DRIFT:
        return "~"
    if plan.verdict is EnumPlanVerdict.IN_SYNC:
        return "="
    return "!"


def resource_lines(plan: ModelResourcePlan) -> list[str]:
    head = f"{_symbol(plan)} KafkaTopic {plan.namespace}/{plan.name} -> topic {plan.topic}"
    if plan.connection:
        head += f" on {plan.connection}"
    head += f"  [{plan.file}, document {plan.document}]"
    body: list[str] = []
    if plan.verdict is EnumPlanVerdict.IN_SYNC:
        body = ["= in sync"]
    elif plan.verdict is EnumPlanVerdict.DRIFT:
        body = ["managementPolicy Observe: reported as drift, never applied"]
    for change in plan.changes:
        body += change_lines(change)
    body += [f"! refuse: {refusal}" for refusal in plan.refusals]
    if plan.refusals:
        body.append("  nothing is changed for this resource until the spec changes")
    if plan.conflict:
        body.append(f"! conflict: {plan.conflict}")
        if plan.ownership:
            body.append(f"  ownership: {plan.ownership}")
    if plan.error is not None:
        error = plan.error
        body += [
            f"! error {error.error_class.value}: {error.message}",
            f"  operation {error.operation}, target {error.target}, correlation id {error.correlation_id}",
        ]
    return [head, *(_INDENT + line for line in body)]


def summary_line(report: ModelPlanReport) -> str:
    counts = report.summary
    parts = [
        f"{counts[key]} {one if counts[key] == 1 else many}"
        for key, (one, many) in _SUMMARY_WORDS.items()
        if counts[key] or key in _ALWAYS_SHOWN
    ]
    return f"Plan: {', '.join(parts)}. Nothing was written."


def render_text(report: ModelPlanReport) -> str:
    lines = [f"Kafka via {report.kafka}; correlation id {report.correlation_id}", ""]
    for plan in report.resources:
        lines += [*resource_lines(plan), ""]
    lines += [f"skipped (not a KafkaTopic): {document}" for document in report.skipped]
    lines += [f"invalid: {issue}" for issue in report.invalid]
    if report.error is not None:
        lines.append(f"error {report.error}")
    lines += [f"note: {note}" for note in report.notes]
    if report.skipped or report.invalid or report.error or report.notes:
        lines.append("")
    lines.append(summary_line(report))
    return "\n".join(lines)


def render_json(report: ModelPlanReport) -> str:
    return report.model_dump_json(indent=2)
