"""credentialsFrom.secretRef: a PostgresMigration runs as the role of a Secret (keys username and
password, the shape a VaultSecret's target writes). An earlier migration creates that role with a
password from a placeholder whose value comes from a Secret; what the second resource's migrations
create is owned by that role."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.e2e.conftest import Cluster
from tests.e2e.postgres_helpers import (
    PLURAL,
    Pg,
    apply,
    history,
    migration_spec,
    pg_fixture,  # noqa: F401 - fixture
    schema_fixture,  # noqa: F401 - fixture
    use_postgres,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(name="role")
def role_fixture(pg: Pg, schema: str) -> Iterator[str]:
    """A login role of this test alone, dropped after it (after the schema, listed before it, holding
    the role's objects, is gone; `schema` is torn down after this fixture)."""
    name = f"r_{uuid.uuid4().hex[:12]}"
    yield name
    cleanup = Pg(env=pg.env)
    try:
        cleanup.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        cleanup.execute(f'DROP ROLE IF EXISTS "{name}"')
    finally:
        cleanup.close()


def test_migration_runs_as_the_role_of_credentials_from(
    cluster: Cluster, pg: Pg, schema: str, role: str
) -> None:
    use_postgres(cluster)
    password = f"pw-{uuid.uuid4().hex}"
    cluster.put_secret("role-password", {"password": password})
    setup: list[dict[str, object]] = [
        {
            "version": "1",
            "description": "role",
            "sql": f'CREATE ROLE "{role}" LOGIN PASSWORD ${{app_password}};',
        },
        {
            "version": "2",
            "description": "grant",
            "sql": f'GRANT USAGE, CREATE ON SCHEMA "{schema}" TO "{role}";',
        },
    ]
    placeholders = [
        {"name": "app_password", "valueFrom": {"secretKeyRef": {"name": "role-password", "key": "password"}}}
    ]
    apply(cluster, "setup", migration_spec(schema, setup, placeholders=placeholders))
    cluster.wait_condition(PLURAL, "setup", status="True", reason="Reconciled")

    # the second resource logs in as the new role, with its own history table in the same schema
    cluster.put_secret("app-login", {"username": role, "password": password})
    owned: list[dict[str, object]] = [{"version": "1", "sql": "CREATE TABLE owned_by_app (n int);"}]
    spec = migration_spec(
        schema, owned, historyTable="app_history", credentialsFrom={"secretRef": {"name": "app-login"}}
    )
    apply(cluster, "as-app", spec)
    cluster.wait_condition(PLURAL, "as-app", status="True", reason="Reconciled")

    owner = pg.value(
        "SELECT tableowner FROM pg_tables WHERE schemaname = $1 AND tablename = 'owned_by_app'", schema
    )
    assert owner == role
    as_role = Pg(env={**pg.env, "PGUSER": role, "PGPASSWORD": password})  # the role owns it: only it reads it
    try:
        rows = history(as_role, schema, "app_history")
    finally:
        as_role.close()
    assert [(row["version"], row["installed_by"], row["success"]) for row in rows] == [("1", role, True)]
    # the setup's own history says who ran it: the connection's user
    assert {row["installed_by"] for row in history(pg, schema)} == {"onex"}
