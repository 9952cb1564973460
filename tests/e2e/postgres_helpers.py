"""What the PostgresMigration end-to-end tests share: the test-bed database read and changed
directly (as the test-bed's `onex` role), a schema of the test's own (dropped at the end: the test
may drop, the operator never does), and a postgres InfraConnection."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import asyncpg
import pytest
from kubernetes.client.exceptions import ApiException

from tests.conftest import RunningTestbed
from tests.e2e.conftest import Cluster

PLURAL, KIND = "postgresmigrations", "PostgresMigration"
CONNECTION = "pg"
PASSWORD_KEY = "password"
REPAIR = "infra.onex.dev/repair"


@dataclass
class Pg:
    """One session to the test-bed database on its own event loop (a test can hold a lock in it
    while it waits for the operator)."""

    env: dict[str, str] = field(repr=False)
    _loop: asyncio.AbstractEventLoop = field(default_factory=asyncio.new_event_loop, repr=False)
    _conn: asyncpg.Connection[asyncpg.Record] | None = field(default=None, repr=False)

    @property
    def conn(self) -> asyncpg.Connection[asyncpg.Record]:
        if self._conn is None:
            self._conn = self._loop.run_until_complete(
                asyncpg.connect(
                    host=self.env["PGHOST"],
                    port=int(self.env["PGPORT"]),
                    user=self.env["PGUSER"],
                    password=self.env["PGPASSWORD"],
                    database=self.env["PGDATABASE"],
                    ssl=False,
                )
            )
        return self._conn

    def execute(self, sql: str, *args: object) -> str:
        return self._loop.run_until_complete(self.conn.execute(sql, *args))

    def rows(self, sql: str, *args: object) -> list[dict[str, object]]:
        return [dict(row) for row in self._loop.run_until_complete(self.conn.fetch(sql, *args))]

    def value(self, sql: str, *args: object) -> object:
        return self._loop.run_until_complete(self.conn.fetchval(sql, *args))

    def close(self) -> None:
        if self._conn is not None:
            self._loop.run_until_complete(self._conn.close())
        self._loop.close()


def history(pg: Pg, schema: str, table: str = "onex_schema_history") -> list[dict[str, object]]:
    return pg.rows(f'SELECT * FROM "{schema}"."{table}" ORDER BY installed_on, version')


def exists(pg: Pg, qualified: str) -> bool:
    return bool(pg.value("SELECT to_regclass($1) IS NOT NULL", qualified))


@pytest.fixture(name="pg")
def pg_fixture(testbed: RunningTestbed) -> Iterator[Pg]:
    session = Pg(env=dict(testbed.env))
    yield session
    session.close()


@pytest.fixture(name="schema")
def schema_fixture(pg: Pg) -> Iterator[str]:
    """A schema of this test alone, dropped after it (by the test, never by the operator)."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    yield name
    cleanup = Pg(env=pg.env)  # the test's own session may hold locks or be mid-transaction
    try:
        cleanup.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    finally:
        cleanup.close()


def use_postgres(
    cluster: Cluster, password: str | None = None, *, name: str = CONNECTION, port: int | None = None
) -> None:
    """An InfraConnection (`pg` by default) to the test-bed's PostgreSQL, its password in a Secret."""
    env = cluster.testbed.env
    secret = f"{name}-credentials"
    cluster.put_secret(secret, {PASSWORD_KEY: password if password is not None else env["PGPASSWORD"]})
    spec: dict[str, object] = {
        "postgres": {
            "host": env["PGHOST"],
            "port": port if port is not None else int(env["PGPORT"]),
            "user": env["PGUSER"],
            "passwordSecretRef": {"name": secret, "key": PASSWORD_KEY},
            "sslMode": "disable",
        }
    }
    cluster.apply("infraconnections", "InfraConnection", name, spec)


def migration_spec(
    schema: str, migrations: list[dict[str, object]], *, connection: str = CONNECTION, **extra: object
) -> dict[str, object]:
    return {
        "connectionRef": {"kind": "InfraConnection", "name": connection},
        "database": "onex",
        "schema": schema,
        "migrations": migrations,
        **extra,
    }


def status_of(cluster: Cluster, name: str) -> dict[str, object]:
    body = cluster.get(PLURAL, name) or {}
    status = body.get("status")
    return dict(status) if isinstance(status, dict) else {}


def annotate(cluster: Cluster, name: str, key: str, value: str) -> None:
    patch = {"metadata": {"annotations": {key: value}}}
    cluster.objects.patch_namespaced_custom_object(
        "infra.onex.dev", "v1alpha1", cluster.namespace, PLURAL, name, patch
    )


def apply(cluster: Cluster, name: str, spec: dict[str, object]) -> None:
    """Create or replace a PostgresMigration; a replace that meets the operator's own write of
    status or annotations (409) is tried again on the fresh object."""
    for _ in range(10):
        try:
            cluster.apply(PLURAL, KIND, name, spec)
            return
        except ApiException as error:
            if error.status != 409:
                raise
    cluster.apply(PLURAL, KIND, name, spec)
