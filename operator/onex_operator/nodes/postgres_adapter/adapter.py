"""PostgresMigration as a managed-resource adapter: observe the history table, plan (pure), apply
the pending migrations one transaction each under an advisory lock (nodes/postgres_adapter/migrate.py).

The operator never drops anything: deletionPolicy is always Retain (the CRD refuses Delete), so
deleting a PostgresMigration leaves the database, its objects and the history table as they are.
The "object" a resource manages is its history table; it is the resource's once it exists (a
history table is shared bookkeeping, so there is nothing to adopt).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from uuid import UUID

from onex_operator.container import ONEXContainer
from onex_operator.durations import parse_duration
from onex_operator.errors import ProtocolConfigurationError, RuntimeHostError
from onex_operator.kube.api import JsonObject
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType
from onex_operator.models.enum_managed_kind import EnumManagedKind
from onex_operator.models.enum_management_policy import EnumManagementPolicy
from onex_operator.models.model_postgres_migration_spec import ModelPostgresMigrationSpec
from onex_operator.nodes.connection_resolver.keys import connection_key
from onex_operator.nodes.connection_resolver.resolve import secret_value
from onex_operator.nodes.contract_io import operation_timeout
from onex_operator.nodes.infrastructure_reducer.model_reconcile_result import StatusFields
from onex_operator.nodes.postgres_adapter.config_map import config_map_migrations
from onex_operator.nodes.postgres_adapter.connection import credentials_from, postgres_connection
from onex_operator.nodes.postgres_adapter.errors import pg_context, translate
from onex_operator.nodes.postgres_adapter.history import HistoryTable
from onex_operator.nodes.postgres_adapter.migrate import NODE, MigrationRun
from onex_operator.nodes.postgres_adapter.model_migration_plan import (
    DesiredMigration,
    MigrationInputs,
    MigrationObserved,
    MigrationPlan,
)
from onex_operator.nodes.postgres_adapter.model_postgres_client_config import ModelPostgresClientConfig
from onex_operator.nodes.postgres_adapter.plan import failed_version, plan_migrations
from onex_operator.nodes.postgres_adapter.pools import Pool
from onex_operator.nodes.postgres_adapter.versions import VersionKey, version_key
from onex_operator.runtime.managed.adapter import EnumOwnership, Ownership
from onex_operator.runtime.managed.envelope import ManagedResource
from onex_operator.runtime.status_store import ResourceRef

MigrationResource = ManagedResource[ModelPostgresMigrationSpec]
REPAIR_ANNOTATION = "repair"
_DB = EnumInfraTransportType.DB
_log = logging.getLogger("onex.postgres")


@dataclass(frozen=True)
class PostgresSession:
    label: str  # the connection and database, for /services
    target: str  # user@host:port/database
    pool: Pool


class PostgresMigrationAdapter:
    kind = EnumManagedKind.POSTGRES_MIGRATION
    plural = "postgresmigrations"
    transport = _DB

    def __init__(self, container: ONEXContainer) -> None:
        self._container = container
        # uid -> the versions a ConfigMap held at its last read (status.pending counts them)
        self._config_map_versions: dict[str, frozenset[VersionKey]] = {}

    def parse_spec(self, raw: JsonObject) -> ModelPostgresMigrationSpec:
        return ModelPostgresMigrationSpec.model_validate(raw)

    def claim_key(self, body: JsonObject) -> str:
        # one history table per resource: two resources on one table would each see the other's
        # versions as "applied but missing from the spec"
        spec = body.get("spec")
        spec = spec if isinstance(spec, dict) else {}
        table = f"{spec.get('schema', 'public')}.{spec.get('historyTable', 'onex_schema_history')}"
        return f"{connection_key(body)}#{spec.get('database', '')}#{table}"

    def external_name(self, resource: MigrationResource) -> str:
        spec = resource.spec
        return f"history table {spec.schema_}.{spec.history_table} of database {spec.database}"

    def secret_refs(self, resource: MigrationResource) -> set[str]:
        spec = resource.spec
        names = {p.value_from.secret_key_ref.name for p in spec.placeholders or () if p.value_from}
        if spec.credentials_from is not None:
            names.add(spec.credentials_from.secret_ref.name)
        return names

    async def connect(self, resource: MigrationResource, correlation_id: UUID) -> PostgresSession:
        container, spec = self._container, resource.spec
        connection = await container.postgres_connections.get(
            (resource.namespace, spec.connection_ref),
            lambda: postgres_connection(
                container.kube, resource.namespace, spec.connection_ref, correlation_id
            ),
        )
        user, password = connection.server.user, connection.password
        if spec.credentials_from is not None:
            credentials = await credentials_from(
                container.kube, resource.namespace, spec.credentials_from.secret_ref.name, correlation_id
            )
            user, password = credentials.user, credentials.password
        config = ModelPostgresClientConfig(
            host=connection.server.host,
            port=connection.server.port,
            database=spec.database,
            user=user,
            password=password,
            ssl_mode=connection.server.ssl_mode,
        )
        pool = await container.postgres_pool(config)
        return PostgresSession(label=f"{connection.label}/{spec.database}", target=config.target, pool=pool)

    def connection_label(self, session: PostgresSession) -> str:
        return session.label

    async def inputs(
        self, session: PostgresSession, resource: MigrationResource, correlation_id: UUID
    ) -> MigrationInputs:
        spec = resource.spec
        if spec.migrations_from is not None:
            migrations = await config_map_migrations(
                self._container.kube,
                resource.namespace,
                spec.migrations_from.config_map_ref.name,
                correlation_id,
                lock_timeout_ms=_milliseconds(spec.lock_timeout),
                statement_timeout_ms=_milliseconds(spec.statement_timeout),
            )
            self._config_map_versions[resource.uid] = frozenset(m.key for m in migrations)
        elif spec.migrations is not None:
            migrations = desired_migrations(spec)
        else:
            raise ProtocolConfigurationError(
                "no migrations: list them inline (migrations) or name a ConfigMap (migrationsFrom)",
                context=pg_context("plan", resource.label, correlation_id),
            )
        values: dict[str, str] = {}
        for placeholder in spec.placeholders or ():
            if placeholder.value is not None:
                values[placeholder.name] = placeholder.value
            elif placeholder.value_from is not None:
                # registered with the sanitizer as it is read
                values[placeholder.name] = await secret_value(
                    self._container.kube,
                    resource.namespace,
                    placeholder.value_from.secret_key_ref,
                    _DB,
                    correlation_id,
                )
        return MigrationInputs(migrations=migrations, values=values)

    async def observe(
        self, session: PostgresSession, resource: MigrationResource, correlation_id: UUID
    ) -> MigrationObserved:
        run = self._run(session, resource, correlation_id)
        async with run.connection() as conn:
            try:
                rows = await asyncio.wait_for(run.history.read(conn), operation_timeout(NODE, "read_history"))
            except RuntimeHostError:
                raise
            except Exception as error:
                raise translate(
                    error, operation="read_history", target=session.target, correlation_id=correlation_id
                ) from error
        return MigrationObserved(history=rows)

    def ownership(
        self, resource: MigrationResource, observed: MigrationObserved, status: JsonObject
    ) -> Ownership:
        return Ownership(EnumOwnership.ABSENT if observed.history is None else EnumOwnership.OURS)

    def plan(
        self,
        resource: MigrationResource,
        inputs: MigrationInputs,
        observed: MigrationObserved,
        status: JsonObject,
        ownership: Ownership,
    ) -> MigrationPlan:
        token = resource.annotation(REPAIR_ANNOTATION)
        return plan_migrations(
            inputs.migrations,
            observed.history,
            values=inputs.values,
            out_of_order=resource.spec.out_of_order,
            repair_token=token if token is not None and token != status.get("repair") else None,
        )

    def claim(self, resource: MigrationResource, plan: MigrationPlan) -> StatusFields:
        # the repair token is recorded before anything runs: a migration failing after the repair
        # must not make the next reconcile repair again
        return {"repair": plan.repair_token} if plan.repair_token is not None else {}

    async def apply(
        self,
        session: PostgresSession,
        resource: MigrationResource,
        plan: MigrationPlan,
        observed: MigrationObserved,
        correlation_id: UUID,
    ) -> MigrationObserved:
        try:
            await self._run(session, resource, correlation_id).apply(plan)
        except RuntimeHostError:
            await self._report_progress(session, resource, correlation_id)
            raise
        return await self.observe(session, resource, correlation_id)

    def status_fields(self, resource: MigrationResource, observed: MigrationObserved) -> StatusFields:
        fields = history_status(observed, self._desired_versions(resource))
        if resource.spec.management_policy is EnumManagementPolicy.MANAGE:
            fields["repair"] = resource.annotation(REPAIR_ANNOTATION)
        return fields

    async def delete(
        self,
        session: PostgresSession,
        resource: MigrationResource,
        observed: MigrationObserved,
        correlation_id: UUID,
    ) -> None:
        # never reached (deletionPolicy is always Retain); and if it were: nothing is ever dropped
        _log.info("%s %s: nothing dropped (PostgresMigration never drops)", correlation_id, resource.label)

    async def _report_progress(
        self, session: PostgresSession, resource: MigrationResource, correlation_id: UUID
    ) -> None:
        """After a failed migration, write what the history table now says (failedVersion, the
        versions applied before it). The shared reconciler writes no kind fields with an error, so
        the adapter writes them itself; best effort (the error's condition follows regardless)."""
        try:
            observed = await self.observe(session, resource, correlation_id)
        except RuntimeHostError:
            return
        statuses = self._container.statuses
        ref = ResourceRef(resource.uid, self.plural, resource.namespace, resource.name)
        await statuses.write(
            ref,
            dict(history_status(observed, self._desired_versions(resource))),
            statuses.current(resource.uid, resource.body),
            correlation_id,
        )

    def _desired_versions(self, resource: MigrationResource) -> frozenset[VersionKey]:
        if resource.spec.migrations_from is not None:
            return self._config_map_versions.get(resource.uid, frozenset())
        self._config_map_versions.pop(resource.uid, None)
        return frozenset(version_key(m.version) for m in resource.spec.migrations or ())

    def _run(
        self, session: PostgresSession, resource: MigrationResource, correlation_id: UUID
    ) -> MigrationRun:
        spec = resource.spec
        return MigrationRun(
            pool=session.pool,
            history=HistoryTable(spec.schema_, spec.history_table),
            target=session.target,
            correlation_id=correlation_id,
        )


def desired_migrations(spec: ModelPostgresMigrationSpec) -> list[DesiredMigration]:
    return [
        DesiredMigration(
            version=migration.version,
            description=migration.description or "",
            sql=migration.sql,
            transactional=migration.transactional,
            lock_timeout_ms=_milliseconds(migration.lock_timeout or spec.lock_timeout),
            statement_timeout_ms=_milliseconds(migration.statement_timeout or spec.statement_timeout),
        )
        for migration in spec.migrations or ()
    ]


def history_status(observed: MigrationObserved, desired: frozenset[VersionKey]) -> StatusFields:
    """`desired`: the versions the spec (or its ConfigMap) lists: those not applied are pending."""
    rows = [row for row in observed.history or () if row.success]
    applied = {row.key for row in rows}
    last = max(rows, key=lambda row: row.key).version if rows else None
    pending = len(desired - applied)
    return {
        "lastAppliedVersion": last,
        "appliedCount": len(rows),
        "pending": pending,
        "failedVersion": failed_version(observed.history),
    }


def _milliseconds(duration: str | None) -> int | None:
    return int(parse_duration(duration) * 1000) if duration else None
