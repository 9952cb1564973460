"""The values the pure plan works with and produces: desired migrations, steps, the plan."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from onex_operator.nodes.postgres_adapter.history import HistoryRow
from onex_operator.nodes.postgres_adapter.versions import VersionKey, checksum, version_key


@dataclass(frozen=True)
class DesiredMigration:
    """One migration of the spec (inline or, later, from a ConfigMap), timeouts in milliseconds."""

    version: str
    description: str
    sql: str  # as written: placeholders unexpanded
    transactional: bool = True
    lock_timeout_ms: int | None = None
    statement_timeout_ms: int | None = None

    @property
    def key(self) -> VersionKey:
        return version_key(self.version)

    @property
    def checksum(self) -> str:
        return checksum(self.sql)

    def describe(self) -> str:
        outside = " outside a transaction" if not self.transactional else ""
        about = f" ({self.description})" if self.description else ""
        return f"apply migration {self.version}{about}{outside}"


@dataclass(frozen=True)
class HistoryStep:
    """Bookkeeping in the history table: create it, re-record a checksum, clear a failure."""

    text: str
    version: str | None = None
    checksum: str | None = None
    description: str = ""

    def describe(self) -> str:
        return self.text


@dataclass(frozen=True)
class MigrationPlan:
    create_history: bool
    repairs: Sequence[HistoryStep]
    cleared: Sequence[HistoryStep]
    migrations: Sequence[DesiredMigration]
    refusals: Sequence[str]
    repair_token: str | None  # a new repair annotation this plan handles
    # placeholder values for apply: never in describe(), status, Events or logs
    values: Mapping[str, str] = field(default_factory=dict, repr=False)

    @property
    def changes(self) -> list[HistoryStep | DesiredMigration]:
        steps: list[HistoryStep | DesiredMigration] = []
        if self.create_history:
            steps.append(HistoryStep("create the history table"))
        return [*steps, *self.repairs, *self.cleared, *self.migrations]


@dataclass(frozen=True)
class MigrationInputs:
    migrations: Sequence[DesiredMigration]
    values: Mapping[str, str] = field(repr=False)


@dataclass(frozen=True)
class MigrationObserved:
    history: Sequence[HistoryRow] | None  # None: the history table does not exist yet
