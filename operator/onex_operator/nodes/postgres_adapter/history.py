"""The history table: one row per version, read at every reconcile and drift check.

Identifiers are validated by the CRD's patterns and quoted anyway (the S608 exemptions below: only
the quoted table name is formatted in); every value travels as a bind parameter. The SQL of a
migration is never stored, only its checksum (placeholders unexpanded), so no placeholder value can
reach the table.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TypeAlias
from uuid import UUID

import asyncpg

from onex_operator.nodes.postgres_adapter.versions import VersionKey, version_key

Connection: TypeAlias = (
    "asyncpg.Connection[asyncpg.Record] | asyncpg.pool.PoolConnectionProxy[asyncpg.Record]"
)


@dataclass(frozen=True)
class HistoryRow:
    version: str
    description: str
    checksum: str
    success: bool
    error_code: str | None = None
    error_message: str | None = None

    @property
    def key(self) -> VersionKey:
        return version_key(self.version)


@dataclass(frozen=True)
class HistoryRecord:
    """One migration's outcome, as written."""

    version: str
    description: str
    checksum: str
    transactional: bool
    execution_ms: int
    success: bool
    correlation_id: UUID
    error_code: str | None = None
    error_message: str | None = None


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class HistoryTable:
    def __init__(self, schema: str, table: str) -> None:
        self.schema = schema
        self.table = table
        self.qualified = f"{quote_ident(schema)}.{quote_ident(table)}"

    @property
    def label(self) -> str:
        return f"{self.schema}.{self.table}"

    @property
    def lock_key(self) -> int:
        """The advisory lock of this history table (advisory locks are per database already):
        a signed 64-bit number from its qualified name."""
        digest = hashlib.sha256(f"onex-schema-history:{self.label}".encode()).digest()
        return int.from_bytes(digest[:8], "big", signed=True)

    async def exists(self, conn: Connection) -> bool:
        found = await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", self.qualified)
        return bool(found)

    async def ensure(self, conn: Connection) -> None:
        # CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema exists: a
        # role with only USAGE and CREATE on an existing schema (credentialsFrom) must not need it
        schema_exists = await conn.fetchval("SELECT true FROM pg_namespace WHERE nspname = $1", self.schema)
        if not schema_exists:
            await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(self.schema)}")
        await conn.execute(
            f"""CREATE TABLE IF NOT EXISTS {self.qualified} (
                version text PRIMARY KEY,
                description text NOT NULL DEFAULT '',
                checksum text NOT NULL,
                transactional boolean NOT NULL,
                installed_by text NOT NULL DEFAULT current_user,
                installed_on timestamptz NOT NULL DEFAULT now(),
                execution_ms integer NOT NULL,
                success boolean NOT NULL,
                error_code text,
                error_message text,
                correlation_id uuid NOT NULL
            )"""
        )

    async def read(self, conn: Connection) -> list[HistoryRow] | None:
        """Every row, or None when the table does not exist yet."""
        if not await self.exists(conn):
            return None
        rows = await conn.fetch(
            f"SELECT version, description, checksum, success, error_code, error_message FROM {self.qualified}"  # noqa: S608
        )
        return [
            HistoryRow(
                version=str(row["version"]),
                description=str(row["description"]),
                checksum=str(row["checksum"]),
                success=bool(row["success"]),
                error_code=row["error_code"],
                error_message=row["error_message"],
            )
            for row in rows
        ]

    async def record(self, conn: Connection, record: HistoryRecord) -> None:
        # a failed attempt's row is replaced by the next attempt of the same version
        await conn.execute(
            f"""INSERT INTO {self.qualified} (version, description, checksum, transactional,
                    execution_ms, success, error_code, error_message, correlation_id)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                ON CONFLICT (version) DO UPDATE SET description = EXCLUDED.description,
                    checksum = EXCLUDED.checksum, transactional = EXCLUDED.transactional,
                    installed_by = current_user, installed_on = now(),
                    execution_ms = EXCLUDED.execution_ms, success = EXCLUDED.success,
                    error_code = EXCLUDED.error_code, error_message = EXCLUDED.error_message,
                    correlation_id = EXCLUDED.correlation_id""",  # noqa: S608
            record.version,
            record.description,
            record.checksum,
            record.transactional,
            record.execution_ms,
            record.success,
            record.error_code,
            record.error_message,
            record.correlation_id,
        )

    async def repair(self, conn: Connection, version: str, checksum: str, description: str) -> None:
        await conn.execute(
            f"UPDATE {self.qualified} SET checksum = $2, description = $3 WHERE version = $1 AND success",  # noqa: S608
            version,
            checksum,
            description,
        )

    async def clear_failed(self, conn: Connection, version: str) -> None:
        await conn.execute(f"DELETE FROM {self.qualified} WHERE version = $1 AND NOT success", version)  # noqa: S608
