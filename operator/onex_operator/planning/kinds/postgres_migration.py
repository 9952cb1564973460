"""PostgresMigration in a plan: the pending migrations in version order (and the history-table
bookkeeping a repair would do), or the refusals and why (a changed checksum, an applied version the
spec no longer lists, a version below the last applied one without outOfOrder). The history table
is only read: nothing is created, no lock is taken, no placeholder value is shown."""

from __future__ import annotations

from onex_operator.kube.api import JsonObject
from onex_operator.models.model_postgres_migration_spec import ModelPostgresMigrationSpec
from onex_operator.nodes.postgres_adapter.model_migration_plan import MigrationObserved, MigrationPlan
from onex_operator.planning.model_plan_step import ModelPlanStep
from onex_operator.planning.model_resource_plan import PlannedChange
from onex_operator.runtime.managed.adapter import Ownership
from onex_operator.runtime.managed.envelope import ManagedResource

MigrationResource = ManagedResource[ModelPostgresMigrationSpec]

OWNERSHIP_NOTE = (
    "a history table is shared bookkeeping with no owner recorded in it: one PostgresMigration per "
    "connection, database and history table (the oldest one applies, a later one is ResourceConflict)"
)


class PostgresMigrationPresentation:
    noun = "history table"
    ownership_note = OWNERSHIP_NOTE

    def refusal(self, resource: MigrationResource, live: JsonObject | None) -> str | None:
        return None  # no immutable field: the CRD refuses only deletionPolicy Delete, on any apply

    def explain(
        self,
        resource: MigrationResource,
        observed: MigrationObserved,
        ownership: Ownership,
        unseen: str | None,
    ) -> str | None:
        if observed.history is None:
            return None  # no history table yet: created with the first migration
        applied = sum(1 for row in observed.history if row.success)
        return f"its history table records {applied} applied migration(s)"

    def changes(self, plan: MigrationPlan) -> list[PlannedChange]:
        return [ModelPlanStep(text=change.describe()) for change in plan.changes]
