"""`onex-infra plan` covers PostgresMigration: against the test-bed's PostgreSQL and a live resource,
the pending versions (in version order), the refusals and why, and nothing written (the history
table is only read)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.e2e.conftest import Cluster
from tests.e2e.postgres_helpers import (
    KIND,
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


def plan(cluster: Cluster, path: Path, spec: dict[str, object]) -> tuple[int, dict[str, object]]:
    document = {
        "apiVersion": "infra.onex.dev/v1alpha1",
        "kind": KIND,
        "metadata": {"name": "planned", "namespace": cluster.namespace},
        "spec": spec,
    }
    path.write_text(yaml.safe_dump(document))
    result = subprocess.run(
        [sys.executable, "-m", "onex_operator", "plan", "-f", str(path), "-o", "json"],
        check=False,
        capture_output=True,
        text=True,
        env={**os.environ, **cluster.testbed.env},
        timeout=120,
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    report = json.loads(result.stdout)
    resources = report["resources"]
    assert len(resources) == 1, report
    return result.returncode, resources[0]


def test_plan_shows_pending_versions_and_refusals_and_writes_nothing(
    cluster: Cluster, pg: Pg, schema: str, tmp_path: Path
) -> None:
    use_postgres(cluster)
    applied: list[dict[str, object]] = [
        {"version": "1", "sql": "CREATE TABLE first (n int);"},
        {"version": "2", "sql": "CREATE TABLE second (n int);"},
    ]
    apply(cluster, "planned", migration_spec(schema, applied))
    cluster.wait_condition(PLURAL, "planned", status="True", reason="Reconciled")

    code, same = plan(cluster, tmp_path / "same.yaml", migration_spec(schema, applied))
    assert (code, same["verdict"], same["descriptions"]) == (0, "in-sync", []), same

    pending = [
        *applied,
        {"version": "10", "description": "ten", "sql": "CREATE TABLE ten (n int);"},
        {"version": "2.1", "sql": "CREATE TABLE two_one (n int);"},
    ]
    code, changes = plan(cluster, tmp_path / "pending.yaml", migration_spec(schema, pending))
    assert code == 2, changes
    assert changes["descriptions"] == ["apply migration 2.1", "apply migration 10 (ten)"]

    changed = [{"version": "1", "sql": "CREATE TABLE first (n bigint);"}, applied[1]]
    code, refused = plan(cluster, tmp_path / "changed.yaml", migration_spec(schema, changed))
    assert (code, refused["verdict"]) == (1, "refused"), refused
    [reason] = refused["refusals"]
    assert str(reason).startswith("the SQL of applied migration 1 changed (checksum"), reason
    # a version the spec no longer lists
    code, missing = plan(cluster, tmp_path / "missing.yaml", migration_spec(schema, applied[:1]))
    assert (code, missing["refusals"]) == (
        1,
        [
            "migration 2 is recorded as applied but missing from the spec; put it back (the operator "
            "never undoes a migration)"
        ],
    ), missing

    # nothing was written: no new table, no new history row
    assert not exists(pg, f"{schema}.ten") and not exists(pg, f"{schema}.two_one")
    assert [row["version"] for row in history(pg, schema)] == ["1", "2"]
