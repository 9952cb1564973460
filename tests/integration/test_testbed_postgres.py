"""The test-bed's PostgreSQL authenticates its role by password (scram-sha-256)."""

from __future__ import annotations

import asyncpg
import pytest

from tests.conftest import RunningTestbed

pytestmark = pytest.mark.integration


def _dsn_parts(testbed: RunningTestbed) -> dict[str, str | int]:
    env = testbed.env
    return {
        "host": env["PGHOST"],
        "port": int(env["PGPORT"]),
        "user": env["PGUSER"],
        "database": env["PGDATABASE"],
    }


async def test_password_login(testbed: RunningTestbed) -> None:
    connection = await asyncpg.connect(**_dsn_parts(testbed), password=testbed.env["PGPASSWORD"])
    try:
        assert await connection.fetchval("SELECT current_user") == testbed.env["PGUSER"]
        assert await connection.fetchval("SHOW password_encryption") == "scram-sha-256"
    finally:
        await connection.close()


async def test_wrong_password_is_refused(testbed: RunningTestbed) -> None:
    with pytest.raises(asyncpg.InvalidPasswordError):
        await asyncpg.connect(**_dsn_parts(testbed), password="not-the-password")
