"""The pure plan of a PostgresMigration: desired migrations + the history table -> what to run, or
why nothing may run. Flyway's validate rules: an applied migration whose SQL changed, or one the
spec no longer lists, stalls the resource with the database untouched; a pending version below the
last applied one waits for `outOfOrder`; a migration that failed with a SQL error stays failed until
its SQL changes (a lock or statement timeout is retried as it is)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from onex_operator.nodes.postgres_adapter.errors import RETRYABLE_STATES
from onex_operator.nodes.postgres_adapter.history import HistoryRow
from onex_operator.nodes.postgres_adapter.model_migration_plan import (
    DesiredMigration,
    HistoryStep,
    MigrationPlan,
)
from onex_operator.nodes.postgres_adapter.placeholders import names_in
from onex_operator.nodes.postgres_adapter.versions import VersionKey


def plan_migrations(
    desired: Sequence[DesiredMigration],
    history: Sequence[HistoryRow] | None,
    *,
    values: Mapping[str, str],
    out_of_order: bool,
    repair_token: str | None,
) -> MigrationPlan:
    """`repair_token`: a repair annotation not handled yet (None: no repair asked)."""
    refusals: list[str] = []
    ordered = sorted(desired, key=lambda m: m.key)
    by_key: dict[VersionKey, DesiredMigration] = {}
    for migration in ordered:
        if migration.key in by_key:
            refusals.append(
                f"versions {by_key[migration.key].version} and {migration.version} are the same version"
            )
        by_key[migration.key] = migration
    rows = list(history or ())
    applied = {row.key: row for row in rows if row.success}
    failed = {row.key: row for row in rows if not row.success and row.key not in applied}
    repairing = repair_token is not None

    repairs: list[HistoryStep] = []
    for key, row in sorted(applied.items()):
        wanted = by_key.get(key)
        if wanted is None:
            refusals.append(
                f"migration {row.version} is recorded as applied but missing from the spec; put it back "
                "(the operator never undoes a migration)"
            )
        elif wanted.checksum != row.checksum:
            if repairing:
                repairs.append(
                    HistoryStep(
                        f"repair: record the new checksum of migration {row.version} (not run)",
                        version=row.version,
                        checksum=wanted.checksum,
                        description=wanted.description,
                    )
                )
            else:
                refusals.append(
                    f"the SQL of applied migration {row.version} changed (checksum {row.checksum[:12]} "
                    f"recorded, {wanted.checksum[:12]} in the spec); restore it, or annotate "
                    "infra.onex.dev/repair: <token> to record the new checksum without running it"
                )

    pending = [m for m in ordered if m.key not in applied]
    last = max(applied) if applied else None
    cleared: list[HistoryStep] = []
    for migration in pending:
        if last is not None and migration.key < last and not out_of_order:
            refusals.append(
                f"migration {migration.version} is pending but lower than the last applied "
                f"{applied[last].version}; set outOfOrder: true to apply it"
            )
        missing = sorted(names_in(migration.sql) - values.keys())
        if missing:
            refusals.append(
                f"migration {migration.version} uses undefined placeholders: "
                + ", ".join("${" + name + "}" for name in missing)
            )
        failure = failed.get(migration.key)
        if failure is None:
            continue
        if repairing:
            cleared.append(
                HistoryStep(
                    f"repair: clear the failure of migration {failure.version}", version=failure.version
                )
            )
        elif (
            failure.checksum == migration.checksum
            and failure.error_code is not None
            and failure.error_code not in RETRYABLE_STATES
        ):
            refusals.append(
                f"migration {failure.version} failed (SQLSTATE {failure.error_code}: "
                f"{failure.error_message}); change its SQL to run it again"
            )
    return MigrationPlan(
        create_history=history is None,
        repairs=repairs,
        cleared=cleared,
        migrations=pending,
        refusals=refusals,
        repair_token=repair_token,
        values=dict(values),
    )


def failed_version(history: Sequence[HistoryRow] | None) -> str | None:
    """The lowest version whose last attempt failed, if any."""
    rows = list(history or ())
    applied = {row.key for row in rows if row.success}
    failures = sorted(
        (row for row in rows if not row.success and row.key not in applied), key=lambda r: r.key
    )
    return failures[0].version if failures else None
