"""PostgresMigration applies its migrations in version order, each once, and records them in the
history table; a failing migration leaves no partial effect and blocks the later ones until its
SQL is fixed; CREATE INDEX CONCURRENTLY runs with transactional: false."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Cluster
from tests.e2e.postgres_helpers import (
    PLURAL,
    Pg,
    apply,
    exists,
    history,
    migration_spec,
    pg_fixture,  # noqa: F401 - fixture
    schema_fixture,  # noqa: F401 - fixture
    status_of,
    use_postgres,
)

pytestmark = pytest.mark.e2e


def test_migrations_apply_in_version_order_with_history(cluster: Cluster, pg: Pg, schema: str) -> None:
    use_postgres(cluster)
    # listed out of order: 10 sorts after 2.1 as a dotted number, not as text
    migrations: list[dict[str, object]] = [
        {"version": "10", "description": "third", "sql": "INSERT INTO steps VALUES (3, 'ten');"},
        {"version": "1", "description": "table", "sql": "CREATE TABLE steps (n int PRIMARY KEY, v text);"},
        {"version": "2.1", "description": "second", "sql": "INSERT INTO steps VALUES (2, 'two.one');"},
    ]
    apply(cluster, "orders", migration_spec(schema, migrations))
    cluster.wait_condition(PLURAL, "orders", status="True", reason="Reconciled")

    rows = history(pg, schema)
    assert [row["version"] for row in rows] == ["1", "2.1", "10"]
    assert all(row["success"] and row["transactional"] for row in rows)
    assert all(len(str(row["checksum"])) == 64 and row["installed_by"] == "onex" for row in rows)
    status = status_of(cluster, "orders")
    assert {row["correlation_id"] for row in rows} and status["lastAppliedVersion"] == "10"
    assert (status["appliedCount"], status["pending"], status.get("failedVersion")) == (3, 0, None)
    assert pg.rows(f'SELECT n, v FROM "{schema}".steps ORDER BY n') == [
        {"n": 2, "v": "two.one"},
        {"n": 3, "v": "ten"},
    ]

    # a new version is applied alone; the applied ones are not run again
    migrations.append({"version": "11", "sql": "INSERT INTO steps VALUES (4, 'eleven');"})
    apply(cluster, "orders", migration_spec(schema, migrations))
    cluster.wait_condition(PLURAL, "orders", status="True", reason="Reconciled")
    assert pg.value(f'SELECT count(*) FROM "{schema}".steps') == 3
    assert status_of(cluster, "orders")["appliedCount"] == 4


def test_failing_migration_leaves_nothing_and_blocks_later_ones(
    cluster: Cluster, pg: Pg, schema: str
) -> None:
    use_postgres(cluster)
    broken = "CREATE TABLE half (n int); INSERT INTO nowhere VALUES (1);"
    migrations: list[dict[str, object]] = [
        {"version": "1", "sql": "CREATE TABLE first (n int);"},
        {"version": "2", "description": "half", "sql": broken},
        {"version": "3", "sql": "CREATE TABLE third (n int);"},
    ]
    apply(cluster, "broken", migration_spec(schema, migrations))
    found = cluster.wait_condition(PLURAL, "broken", status="True", kind="Stalled")
    message = str(found["condition"]["message"])  # type: ignore[index]
    assert "migration 2 failed" in message and "42P01" in message and '"nowhere"' in message
    assert found["condition"]["reason"] == "ProtocolConfigurationError"  # type: ignore[index]
    status = status_of(cluster, "broken")
    assert (status["failedVersion"], status["lastAppliedVersion"], status["pending"]) == ("2", "1", 2)
    # rolled back: not even the first statement of migration 2 stayed; 3 never ran
    assert exists(pg, f"{schema}.first") and not exists(pg, f"{schema}.half")
    assert not exists(pg, f"{schema}.third")
    recorded = {row["version"]: row for row in history(pg, schema)}
    assert recorded["2"]["success"] is False and recorded["2"]["error_code"] == "42P01"

    # fixing its SQL applies it, then the later one
    migrations[1] = {"version": "2", "description": "half", "sql": "CREATE TABLE half (n int);"}
    apply(cluster, "broken", migration_spec(schema, migrations))
    cluster.wait_condition(PLURAL, "broken", status="True", reason="Reconciled")
    assert exists(pg, f"{schema}.half") and exists(pg, f"{schema}.third")
    assert all(row["success"] for row in history(pg, schema))
    status = status_of(cluster, "broken")
    assert (status.get("failedVersion"), status["appliedCount"], status["pending"]) == (None, 3, 0)


def test_create_index_concurrently_outside_a_transaction(cluster: Cluster, pg: Pg, schema: str) -> None:
    use_postgres(cluster)
    migrations: list[dict[str, object]] = [
        {"version": "1", "sql": "CREATE TABLE items (n int);"},
        {
            "version": "2",
            "description": "index",
            "sql": "CREATE INDEX CONCURRENTLY items_n_idx ON items (n)",
            "transactional": False,
        },
    ]
    apply(cluster, "index", migration_spec(schema, migrations))
    cluster.wait_condition(PLURAL, "index", status="True", reason="Reconciled")
    assert exists(pg, f"{schema}.items_n_idx")
    recorded = {row["version"]: row for row in history(pg, schema)}
    assert recorded["2"]["transactional"] is False and recorded["2"]["success"] is True
