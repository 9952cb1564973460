"""SIGKILL of the operator while a long migration runs: the server rolls the migration's
transaction back (its client is gone before COMMIT), nothing records it as applied, and the
restarted operator applies it exactly once."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from kubernetes.client import ApiClient

from tests.conftest import RunningTestbed
from tests.e2e.conftest import make_cluster, release_namespace, running_operator, wait_until
from tests.e2e.postgres_helpers import (
    PLURAL,
    Pg,
    apply,
    exists,
    history,
    migration_spec,
    pg_fixture,  # noqa: F401 - fixture
    schema_fixture,  # noqa: F401 - fixture
    use_postgres,
)

pytestmark = pytest.mark.e2e


def sessions(pg: Pg, marker: str, *, active: bool) -> int:
    """Server sessions (other than the test's) whose SQL carries the marker; `active`: executing it."""
    state = "state = 'active' AND " if active else ""
    found = pg.value(
        f"SELECT count(*) FROM pg_stat_activity WHERE {state}query LIKE $1 AND pid <> pg_backend_pid()",
        f"%{marker}%",
    )
    return int(str(found))


def test_killed_during_a_long_migration_applies_it_once_after_restart(
    api: ApiClient, testbed: RunningTestbed, tmp_path: Path, pg: Pg, schema: str
) -> None:
    prefix = f"pgmk-{uuid.uuid4().hex[:4]}-"
    cluster = make_cluster(api, testbed, prefix)
    marker = f"slow_{uuid.uuid4().hex[:8]}"
    migrations: list[dict[str, object]] = [
        {"version": "1", "sql": "CREATE TABLE before_slow (n int);"},
        {
            "version": "2",
            "description": "slow",
            "sql": f"/* {marker} */ SELECT pg_sleep(5); CREATE TABLE slow (n int);",
        },
    ]
    try:
        with running_operator(testbed, tmp_path, f"{prefix}*") as first:
            use_postgres(cluster)
            apply(cluster, "long", migration_spec(schema, migrations))
            wait_until(lambda: sessions(pg, marker, active=True) > 0, 60, "migration 2 never started")
            first.stop(kill=True)  # SIGKILL mid-migration: no COMMIT, no history row

        # the orphaned server session ends (its client is gone) and its transaction is rolled back
        wait_until(
            lambda: sessions(pg, marker, active=False) == 0, 60, "the killed operator's session lived on"
        )
        assert not exists(pg, f"{schema}.slow")
        assert [row["version"] for row in history(pg, schema)] == ["1"]

        with running_operator(testbed, tmp_path, f"{prefix}*"):
            cluster.wait_condition(PLURAL, "long", status="True", reason="Reconciled", timeout=120)
    finally:
        release_namespace(api, cluster.namespace)

    rows = history(pg, schema)
    assert [(row["version"], row["success"]) for row in rows] == [("1", True), ("2", True)]
    assert exists(pg, f"{schema}.slow")
