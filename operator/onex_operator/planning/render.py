"""A plan report as text (diff-like, in the manner of `terraform plan`) or as JSON."""

from __future__ import annotations

from onex_operator.nodes.kafka_adapter.model_topic_change import ModelTopicChange
from onex_operator.planning.enum_plan_verdict import EnumPlanVerdict
from onex_operator.planning.kinds.kafka_topic import topic_change_lines
from onex_operator.planning.model_plan_report import ModelPlanReport
from onex_operator.planning.model_resource_plan import ModelResourcePlan, PlannedChange

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


def change_lines(change: PlannedChange) -> list[str]:
    if isinstance(change, ModelTopicChange):
        return topic_change_lines(change)
    return [change.describe()]


def _symbol(plan: ModelResourcePlan) -> str:
    if plan.verdict is EnumPlanVerdict.CHANGES:
        return "+" if plan.creates else "~"
    if plan.verdict is EnumPlanVerdict.DRIFT:
        return "~"
    if plan.verdict is EnumPlanVerdict.IN_SYNC:
        return "="
    return "!"


def resource_lines(plan: ModelResourcePlan) -> list[str]:
    head = f"{_symbol(plan)} {plan.kind.value} {plan.namespace}/{plan.name} -> {plan.external}"
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
    """Totals; with more than one kind in the plan, each total also by kind."""
    counts = report.summary
    by_kind = report.summary_by_kind if len(report.summary_by_kind) > 1 else []
    parts: list[str] = []
    for key, (one, many) in _SUMMARY_WORDS.items():
        if not counts[key] and key not in _ALWAYS_SHOWN:
            continue
        part = f"{counts[key]} {one if counts[key] == 1 else many}"
        kinds = [f"{share.counts[key]} {share.kind.value}" for share in by_kind if share.counts.get(key)]
        parts.append(f"{part} ({', '.join(kinds)})" if kinds else part)
    return f"Plan: {', '.join(parts)}. Nothing was written."


def render_text(report: ModelPlanReport) -> str:
    lines = [f"Connections: {report.connections}; correlation id {report.correlation_id}", ""]
    for plan in report.resources:
        lines += [*resource_lines(plan), ""]
    lines += [f"skipped (no plan for this kind): {document}" for document in report.skipped]
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
