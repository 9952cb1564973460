"""Everything one `onex-infra plan` found, and the exit code it means."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from pydantic import BaseModel, ConfigDict, computed_field

from onex_operator.contracts.model_validation_issue import ModelValidationIssue
from onex_operator.models.enum_managed_kind import EnumManagedKind
from onex_operator.planning.enum_plan_verdict import EnumPlanVerdict
from onex_operator.planning.model_kind_summary import ModelKindSummary
from onex_operator.planning.model_plan_error import ModelPlanError
from onex_operator.planning.model_resource_plan import ModelResourcePlan
from onex_operator.planning.model_skipped_document import ModelSkippedDocument

EXIT_NO_CHANGES = 0
EXIT_FAILED = 1
EXIT_CHANGES = 2
_FAILED = frozenset({EnumPlanVerdict.REFUSED, EnumPlanVerdict.CONFLICT, EnumPlanVerdict.ERROR})


def _counts(plans: Sequence[ModelResourcePlan]) -> dict[str, int]:
    def count(verdict: EnumPlanVerdict) -> int:
        return sum(plan.verdict is verdict for plan in plans)

    creates = sum(plan.verdict is EnumPlanVerdict.CHANGES and plan.creates for plan in plans)
    return {
        "create": creates,
        "change": count(EnumPlanVerdict.CHANGES) - creates,
        "in_sync": count(EnumPlanVerdict.IN_SYNC),
        "drift": count(EnumPlanVerdict.DRIFT),
        "refused": count(EnumPlanVerdict.REFUSED),
        "conflict": count(EnumPlanVerdict.CONFLICT),
        "error": count(EnumPlanVerdict.ERROR),
    }


class ModelPlanReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    correlation_id: UUID
    # how services were reached: each resource's connectionRef, one InfraConnection, or a bootstrap address
    connections: str
    resources: list[ModelResourcePlan] = []
    skipped: list[ModelSkippedDocument] = []
    invalid: list[ModelValidationIssue] = []
    notes: list[str] = []
    # the plan could not be made at all (no Kubernetes configuration, for one)
    error: ModelPlanError | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def summary(self) -> dict[str, int]:
        return {
            **_counts(self.resources),
            "skipped": len(self.skipped),
            "invalid": len({(issue.file, issue.document) for issue in self.invalid}),
        }

    @computed_field  # type: ignore[prop-decorator]
    @property
    def summary_by_kind(self) -> list[ModelKindSummary]:
        # in the kinds' declared order, whatever the order of the files
        return [
            ModelKindSummary(kind=kind, counts=_counts(plans))
            for kind in EnumManagedKind
            if (plans := [plan for plan in self.resources if plan.kind is kind])
        ]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def exit_code(self) -> int:
        """1: something blocks (refused, conflict, error, invalid); 2: changes pending; 0: none."""
        if self.error is not None or self.invalid or any(plan.verdict in _FAILED for plan in self.resources):
            return EXIT_FAILED
        if any(plan.verdict is EnumPlanVerdict.CHANGES for plan in self.resources):
            return EXIT_CHANGES
        return EXIT_NO_CHANGES
