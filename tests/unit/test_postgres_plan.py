"""The pure parts of PostgresMigration: dotted version order, checksums, placeholder quoting (also of
hostile values) and the plan's refusals."""

from __future__ import annotations

import pytest

from onex_operator.nodes.postgres_adapter.history import HistoryRow
from onex_operator.nodes.postgres_adapter.model_migration_plan import DesiredMigration
from onex_operator.nodes.postgres_adapter.placeholders import PlaceholderError, expand, quote_literal
from onex_operator.nodes.postgres_adapter.plan import failed_version, plan_migrations
from onex_operator.nodes.postgres_adapter.versions import checksum, version_key

pytestmark = pytest.mark.unit


def migration(version: str, sql: str = "SELECT 1") -> DesiredMigration:
    return DesiredMigration(version=version, description="", sql=sql)


def applied(version: str, sql: str = "SELECT 1") -> HistoryRow:
    return HistoryRow(version=version, description="", checksum=checksum(sql), success=True)


def test_versions_compare_as_dotted_numbers() -> None:
    versions = ["10", "2.1", "1", "2", "1.10", "1.9", "2024.06.01"]
    assert sorted(versions, key=version_key) == ["1", "1.9", "1.10", "2", "2.1", "10", "2024.06.01"]
    assert version_key("1.0") == version_key("1") == version_key("01")


def test_checksum_is_sha256_of_the_sql_as_written() -> None:
    assert checksum("SELECT ${x}") == checksum("SELECT ${x}") != checksum("SELECT 'a'")
    assert len(checksum("x")) == 64


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        ("plain", "'plain'"),
        ("it's", "'it''s'"),
        ("'); DROP TABLE x; --", "'''); DROP TABLE x; --'"),
        ("back\\slash'", "E'back\\\\slash'''"),
        ("naïve ✓ 日本", "'naïve ✓ 日本'"),
        ("", "''"),
    ],
)
def test_placeholder_values_become_one_quoted_literal(value: str, literal: str) -> None:
    assert quote_literal(value) == literal
    assert expand("SELECT ${v}", {"v": value}) == f"SELECT {literal}"


def test_placeholders_refuse_nul_and_undefined_names() -> None:
    with pytest.raises(PlaceholderError):
        quote_literal("a\x00b")
    with pytest.raises(PlaceholderError, match=r"\$\{missing\}"):
        expand("SELECT ${missing}", {})
    # `$name` and `$$ ... $$` are not placeholders
    assert expand("SELECT $1, $$x$$", {}) == "SELECT $1, $$x$$"


def plan(
    desired: list[DesiredMigration],
    history: list[HistoryRow] | None,
    *,
    out_of_order: bool = False,
    repair: str | None = None,
    values: dict[str, str] | None = None,
) -> tuple[list[str], list[str]]:
    made = plan_migrations(
        desired, history, values=values or {}, out_of_order=out_of_order, repair_token=repair
    )
    return [change.describe() for change in made.changes], list(made.refusals)


def test_pending_in_order_and_history_created_once() -> None:
    changes, refusals = plan([migration("10"), migration("2")], None)
    assert (changes, refusals) == (
        ["create the history table", "apply migration 2", "apply migration 10"],
        [],
    )
    changes, refusals = plan([migration("10"), migration("2")], [applied("2")])
    assert (changes, refusals) == (["apply migration 10"], [])


def test_changed_checksum_is_refused_and_repair_records_it() -> None:
    changes, refusals = plan([migration("1", "SELECT 2")], [applied("1")])
    assert changes == [] and "SQL of applied migration 1 changed" in refusals[0]
    changes, refusals = plan([migration("1", "SELECT 2")], [applied("1")], repair="t1")
    assert refusals == [] and changes == ["repair: record the new checksum of migration 1 (not run)"]


def test_applied_version_missing_from_the_spec_is_refused() -> None:
    _, refusals = plan([migration("2")], [applied("1"), applied("2")])
    assert refusals == [
        "migration 1 is recorded as applied but missing from the spec; put it back "
        "(the operator never undoes a migration)"
    ]


def test_lower_pending_version_waits_for_out_of_order() -> None:
    _, refusals = plan([migration("1"), migration("1.5"), migration("2")], [applied("1"), applied("2")])
    assert "migration 1.5 is pending but lower than the last applied 2" in refusals[0]
    changes, refusals = plan(
        [migration("1"), migration("1.5"), migration("2")], [applied("1"), applied("2")], out_of_order=True
    )
    assert (changes, refusals) == (["apply migration 1.5"], [])


def test_duplicate_versions_and_undefined_placeholders_are_refused() -> None:
    _, refusals = plan([migration("1"), migration("1.0")], None)
    assert refusals == ["versions 1 and 1.0 are the same version"]
    _, refusals = plan([migration("1", "SELECT ${a}, ${b}")], None, values={"a": "x"})
    assert refusals == ["migration 1 uses undefined placeholders: ${b}"]


def test_failed_migration_blocks_until_its_sql_changes_but_a_timeout_is_retried() -> None:
    failed = HistoryRow(
        version="2",
        description="",
        checksum=checksum("bad"),
        success=False,
        error_code="42P01",
        error_message="x",
    )
    _, refusals = plan([migration("1"), migration("2", "bad")], [applied("1"), failed])
    assert refusals and "migration 2 failed (SQLSTATE 42P01: x)" in refusals[0]
    assert failed_version([applied("1"), failed]) == "2"
    changes, refusals = plan([migration("1"), migration("2", "good")], [applied("1"), failed])
    assert (changes, refusals) == (["apply migration 2"], [])
    timed_out = HistoryRow(
        version="2", description="", checksum=checksum("bad"), success=False, error_code="55P03"
    )
    changes, refusals = plan([migration("1"), migration("2", "bad")], [applied("1"), timed_out])
    assert (changes, refusals) == (["apply migration 2"], [])
    changes, refusals = plan([migration("1"), migration("2", "bad")], [applied("1"), failed], repair="r")
    assert refusals == [] and changes == ["repair: clear the failure of migration 2", "apply migration 2"]
