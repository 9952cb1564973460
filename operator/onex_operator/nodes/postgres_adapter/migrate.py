"""Applying a plan: each migration in its own transaction under a transaction-level advisory lock
of the history table, so two operator processes (or two resources on one history table) never
apply a version twice.

The lock is taken per migration and the history re-read under it: whoever gets the lock second
finds the version recorded and skips it. A lock not obtained within the contract's acquire_lock
timeout is `InfraResourceUnavailableError` (retried soon), not a failure of the migration. A
migration with `transactional: false` (CREATE INDEX CONCURRENTLY cannot run in a transaction) holds
a session-level advisory lock instead, released right after (and by the pool's reset, always).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from onex_operator.errors import InfraResourceUnavailableError, ProtocolConfigurationError, RuntimeHostError
from onex_operator.nodes.contract_io import operation_timeout
from onex_operator.nodes.postgres_adapter.errors import (
    migration_error,
    pg_context,
    server_says,
    sqlstate_of,
    translate,
)
from onex_operator.nodes.postgres_adapter.history import Connection, HistoryRecord, HistoryTable, quote_ident
from onex_operator.nodes.postgres_adapter.model_migration_plan import DesiredMigration, MigrationPlan
from onex_operator.nodes.postgres_adapter.placeholders import PlaceholderError, expand
from onex_operator.nodes.postgres_adapter.pools import Pool

NODE = "postgres_adapter"
_LOCK_POLL_SECONDS = 0.2
_GUARD_SECONDS = 10.0  # the client waits this much beyond the server's statement_timeout
_SERVER_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError)


@dataclass(frozen=True)
class MigrationRun:
    pool: Pool
    history: HistoryTable
    target: str  # user@host:port/database, for messages
    correlation_id: UUID

    async def apply(self, plan: MigrationPlan) -> None:
        if plan.create_history or plan.repairs or plan.cleared:
            await self._bookkeeping(plan)
        for migration in plan.migrations:
            sql = self._expanded(migration, plan)
            if migration.transactional:
                await self._in_transaction(migration, sql)
            else:
                await self._outside_transaction(migration, sql)

    # -- steps ---------------------------------------------------------------------------------

    async def _bookkeeping(self, plan: MigrationPlan) -> None:
        async with self.connection() as conn:
            try:
                async with conn.transaction():
                    await self._lock(conn, session=False)
                    if plan.create_history:
                        await self.history.ensure(conn)
                    for step in plan.repairs:
                        if step.version is not None and step.checksum is not None:
                            await self.history.repair(conn, step.version, step.checksum, step.description)
                    for step in plan.cleared:
                        if step.version is not None:
                            await self.history.clear_failed(conn, step.version)
            except _SERVER_ERRORS as error:
                raise self._translate(error, "prepare_history") from error

    async def _in_transaction(self, migration: DesiredMigration, sql: str) -> None:
        async with self.connection() as conn:
            started = time.monotonic()
            try:
                async with conn.transaction():
                    await self._lock(conn, session=False)
                    if await self._already_applied(conn, migration):
                        return
                    await self._settings(conn, migration, local=True)
                    started = time.monotonic()
                    await conn.execute(sql, timeout=self._guard(migration))
                    await self.history.record(conn, self._record(migration, started))
            except _SERVER_ERRORS as error:
                await self._record_failure(migration, error, started)
                raise self._failed(migration, error) from error

    async def _outside_transaction(self, migration: DesiredMigration, sql: str) -> None:
        async with self.connection() as conn:
            await self._lock(conn, session=True)
            started = time.monotonic()
            try:
                if await self._already_applied(conn, migration):
                    return
                await self._settings(conn, migration, local=False)
                started = time.monotonic()
                await conn.execute(sql, timeout=self._guard(migration))
                await conn.execute("RESET lock_timeout; RESET statement_timeout")
                await self.history.record(conn, self._record(migration, started))
            except _SERVER_ERRORS as error:
                await self._record_failure(migration, error, started)
                raise self._failed(migration, error) from error
            finally:
                with contextlib.suppress(*_SERVER_ERRORS):
                    await conn.fetchval("SELECT pg_advisory_unlock($1)", self.history.lock_key)

    # -- helpers -------------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        try:
            conn = await self.pool.acquire(timeout=operation_timeout(NODE, "read_history"))
        except (*_SERVER_ERRORS, asyncpg.ClientConfigurationError) as error:
            raise translate(
                error, operation="connect", target=self.target, correlation_id=self.correlation_id
            ) from error
        try:
            yield conn
        finally:
            with contextlib.suppress(*_SERVER_ERRORS):
                await self.pool.release(conn)

    async def _lock(self, conn: Connection, *, session: bool) -> None:
        function = "pg_try_advisory_lock" if session else "pg_try_advisory_xact_lock"
        deadline = time.monotonic() + operation_timeout(NODE, "acquire_lock")
        while not await conn.fetchval(f"SELECT {function}($1)", self.history.lock_key):
            if time.monotonic() >= deadline:
                raise InfraResourceUnavailableError(
                    f"another session holds the migration lock of {self.history.label} (another "
                    "operator or resource is migrating this database); retried",
                    context=pg_context("acquire_lock", self.target, self.correlation_id),
                )
            await asyncio.sleep(_LOCK_POLL_SECONDS)

    async def _already_applied(self, conn: Connection, migration: DesiredMigration) -> bool:
        """Re-read under the lock: another process may have applied it since the observation."""
        rows = await self.history.read(conn) or []
        return any(row.success and row.key == migration.key for row in rows)

    async def _settings(self, conn: Connection, migration: DesiredMigration, *, local: bool) -> None:
        scope = "SET LOCAL" if local else "SET"
        statements = [
            f"{scope} search_path TO {quote_ident(self.history.schema)}",
            f"{scope} statement_timeout = {self._statement_ms(migration)}",
        ]
        if migration.lock_timeout_ms is not None:
            statements.append(f"{scope} lock_timeout = {int(migration.lock_timeout_ms)}")
        await conn.execute("; ".join(statements))

    def _statement_ms(self, migration: DesiredMigration) -> int:
        if migration.statement_timeout_ms is not None:
            return int(migration.statement_timeout_ms)
        return int(operation_timeout(NODE, "apply_migration") * 1000)

    def _guard(self, migration: DesiredMigration) -> float:
        return self._statement_ms(migration) / 1000 + _GUARD_SECONDS

    def _expanded(self, migration: DesiredMigration, plan: MigrationPlan) -> str:
        try:
            return expand(migration.sql, plan.values)
        except PlaceholderError as error:
            raise ProtocolConfigurationError(
                f"migration {migration.version}: {error}",
                context=pg_context("apply_migration", self.target, self.correlation_id),
            ) from error

    def _record(
        self, migration: DesiredMigration, started: float, error: BaseException | None = None
    ) -> HistoryRecord:
        return HistoryRecord(
            version=migration.version,
            description=migration.description,
            checksum=migration.checksum,
            transactional=migration.transactional,
            execution_ms=int((time.monotonic() - started) * 1000),
            success=error is None,
            correlation_id=self.correlation_id,
            error_code=sqlstate_of(error) if error is not None else None,
            error_message=server_says(error) if error is not None else None,
        )

    async def _record_failure(
        self, migration: DesiredMigration, error: BaseException, started: float
    ) -> None:
        """Record the failed attempt in its own transaction (the migration's was rolled back).
        Best effort: with the server gone, the condition still says what failed."""
        if sqlstate_of(error) is None:
            return  # the connection broke or the client gave up: nothing the server refused
        record = self._record(migration, started, error)
        with contextlib.suppress(RuntimeHostError, *_SERVER_ERRORS):
            async with self.connection() as conn, conn.transaction():
                await self._lock(conn, session=False)
                await self.history.record(conn, record)

    def _failed(self, migration: DesiredMigration, error: BaseException) -> RuntimeHostError:
        if isinstance(error, RuntimeHostError):
            return error
        return migration_error(
            error,
            version=migration.version,
            transactional=migration.transactional,
            target=f"{self.target} {self.history.label}",
            correlation_id=self.correlation_id,
        )

    def _translate(self, error: BaseException, operation: str) -> RuntimeHostError:
        return translate(error, operation=operation, target=self.target, correlation_id=self.correlation_id)
