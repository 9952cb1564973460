"""Flyway's safety rules: a changed checksum stalls with the database untouched and repair clears it;
lock and statement timeouts are InfraTimeoutError and retried; credentials refused, an unknown
database and an unreachable server are classified."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Cluster, free_port
from tests.e2e.postgres_helpers import (
    PLURAL,
    REPAIR,
    Pg,
    annotate,
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


def test_changed_checksum_stalls_untouched_and_repair_records_it(
    cluster: Cluster, pg: Pg, schema: str
) -> None:
    use_postgres(cluster)
    first: dict[str, object] = {"version": "1", "sql": "CREATE TABLE a (n int);"}
    apply(cluster, "sums", migration_spec(schema, [first]))
    cluster.wait_condition(PLURAL, "sums", status="True", reason="Reconciled")
    recorded = history(pg, schema)[0]["checksum"]

    # the applied SQL changed and a new migration came: nothing runs, not even the new one
    changed: dict[str, object] = {"version": "1", "sql": "CREATE TABLE a (n bigint);"}
    second: dict[str, object] = {"version": "2", "sql": "CREATE TABLE b (n int);"}
    apply(cluster, "sums", migration_spec(schema, [changed, second]))
    found = cluster.wait_condition(PLURAL, "sums", status="True", kind="Stalled")
    assert found["condition"]["reason"] == "ProtocolConfigurationError"  # type: ignore[index]
    assert "SQL of applied migration 1 changed" in str(found["condition"]["message"])  # type: ignore[index]
    assert not exists(pg, f"{schema}.b") and history(pg, schema)[0]["checksum"] == recorded

    # repair: the new checksum is recorded, migration 1 is not run again, 2 is applied
    annotate(cluster, "sums", REPAIR, "r1")
    cluster.wait_condition(PLURAL, "sums", status="True", reason="Reconciled")
    rows = {row["version"]: row for row in history(pg, schema)}
    assert rows["1"]["checksum"] != recorded and rows["2"]["success"] is True
    assert (
        pg.value(
            "SELECT data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'a'",
            schema,
        )
        == "integer"
    )
    assert status_of(cluster, "sums")["repair"] == "r1"


def test_lock_timeout_is_retried_until_the_lock_goes(cluster: Cluster, pg: Pg, schema: str) -> None:
    use_postgres(cluster)
    table: dict[str, object] = {"version": "1", "sql": "CREATE TABLE busy (n int);"}
    apply(cluster, "locks", migration_spec(schema, [table]))
    cluster.wait_condition(PLURAL, "locks", status="True", reason="Reconciled")

    pg.execute("BEGIN")
    pg.execute(f'LOCK TABLE "{schema}".busy IN ACCESS EXCLUSIVE MODE')
    alter: dict[str, object] = {
        "version": "2",
        "sql": "ALTER TABLE busy ADD COLUMN m int;",
        "lockTimeout": "500ms",
    }
    apply(cluster, "locks", migration_spec(schema, [table, alter]))
    found = cluster.wait_condition(PLURAL, "locks", status="False", reason="InfraTimeoutError")
    message = str(found["condition"]["message"])  # type: ignore[index]
    assert "migration 2 failed" in message and "55P03" in message and "retried" in message
    pg.execute("ROLLBACK")

    cluster.wait_condition(PLURAL, "locks", status="True", reason="Reconciled", timeout=120)
    assert (
        pg.value(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = $1 AND column_name = 'm'",
            schema,
        )
        == 1
    )


def test_statement_timeout_is_retried_and_a_longer_one_applies(cluster: Cluster, pg: Pg, schema: str) -> None:
    use_postgres(cluster)
    slow: dict[str, object] = {
        "version": "1",
        "sql": "CREATE TABLE slow (n int); SELECT pg_sleep(3);",
        "statementTimeout": "500ms",
    }
    apply(cluster, "slow", migration_spec(schema, [slow]))
    found = cluster.wait_condition(PLURAL, "slow", status="False", reason="InfraTimeoutError")
    assert "57014" in str(found["condition"]["message"])  # type: ignore[index]
    assert not exists(pg, f"{schema}.slow")

    slow["statementTimeout"] = "30s"
    apply(cluster, "slow", migration_spec(schema, [slow]))
    cluster.wait_condition(PLURAL, "slow", status="True", reason="Reconciled")
    assert exists(pg, f"{schema}.slow")


def test_refused_login_unknown_database_and_unreachable_server(cluster: Cluster, schema: str) -> None:
    one: list[dict[str, object]] = [{"version": "1", "sql": "SELECT 1"}]
    use_postgres(cluster, "not-the-password", name="wrong")
    apply(cluster, "wrong", migration_spec(schema, one, connection="wrong"))
    found = cluster.wait_condition(PLURAL, "wrong", status="True", kind="Stalled")
    assert found["condition"]["reason"] == "InfraAuthenticationError"  # type: ignore[index]
    assert "28P01" in str(found["condition"]["message"])  # type: ignore[index]

    use_postgres(cluster)
    missing = migration_spec(schema, one) | {"database": "no_such_database"}
    apply(cluster, "missing", missing)
    found = cluster.wait_condition(PLURAL, "missing", status="True", kind="Stalled")
    assert found["condition"]["reason"] == "ProtocolConfigurationError"  # type: ignore[index]
    assert "3D000" in str(found["condition"]["message"])  # type: ignore[index]

    use_postgres(cluster, name="nowhere", port=free_port())
    apply(cluster, "nowhere", migration_spec(schema, one, connection="nowhere"))
    cluster.wait_condition(PLURAL, "nowhere", status="False", reason="InfraConnectionError")
