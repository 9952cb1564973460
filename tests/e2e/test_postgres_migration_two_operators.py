"""Two operator processes reconciling the same PostgresMigrations apply each migration exactly once:
the advisory lock and the history re-read under it decide, not luck."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from kubernetes.client import ApiClient

from tests.conftest import RunningTestbed
from tests.e2e.conftest import make_cluster, release_namespace, running_operator
from tests.e2e.postgres_helpers import (
    Pg,
    apply,
    history,
    migration_spec,
    pg_fixture,  # noqa: F401 - fixture
    schema_fixture,  # noqa: F401 - fixture
    use_postgres,
)

pytestmark = pytest.mark.e2e


def test_two_operators_apply_each_migration_once(
    api: ApiClient, testbed: RunningTestbed, tmp_path: Path, pg: Pg, schema: str
) -> None:
    prefix = f"pgm2-{uuid.uuid4().hex[:4]}-"
    cluster = make_cluster(api, testbed, prefix)
    try:
        with (
            running_operator(testbed, tmp_path, f"{prefix}*"),
            running_operator(testbed, tmp_path, f"{prefix}*"),
        ):
            use_postgres(cluster)
            migrations: list[dict[str, object]] = [
                {"version": "1", "sql": "CREATE TABLE runs (version text);"},
                *(
                    {"version": str(n), "sql": f"SELECT pg_sleep(0.3); INSERT INTO runs VALUES ('{n}');"}
                    for n in range(2, 9)
                ),
            ]
            apply(cluster, "twice", migration_spec(schema, migrations))
            cluster.wait_condition(
                "postgresmigrations", "twice", status="True", reason="Reconciled", timeout=120
            )
    finally:
        release_namespace(api, cluster.namespace)
    rows = history(pg, schema)
    assert sorted(str(row["version"]) for row in rows) == sorted(str(n) for n in range(1, 9))
    assert all(row["success"] for row in rows)
    runs = pg.rows(f'SELECT version, count(*) AS n FROM "{schema}".runs GROUP BY version')
    assert len(runs) == 7 and all(row["n"] == 1 for row in runs)
