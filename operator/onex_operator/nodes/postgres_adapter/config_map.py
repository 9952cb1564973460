"""Migrations from a ConfigMap (`migrationsFrom.configMapRef`) in the resource's own namespace: one
key per migration named `V<version>__<description>.sql` (Flyway's versioned-migration name; the
description's underscores read as spaces). Another key name, a binaryData key, two keys of one
version or a ConfigMap without migrations is refused; the migrations run in version order, each in
a transaction, with the resource-wide lockTimeout/statementTimeout (a migration that needs
`transactional: false` or its own timeouts is listed inline).

Changes of the ConfigMap are not watched: the next drift check reads it again."""

from __future__ import annotations

import re
from uuid import UUID

from onex_operator.errors import ProtocolConfigurationError
from onex_operator.kube.api import KubeApi
from onex_operator.nodes.postgres_adapter.errors import pg_context
from onex_operator.nodes.postgres_adapter.model_migration_plan import DesiredMigration
from onex_operator.nodes.postgres_adapter.versions import version_key

KEY_PATTERN = re.compile(r"V([0-9]+(?:\.[0-9]+)*)__([-._a-zA-Z0-9]*)\.sql")


async def config_map_migrations(
    kube: KubeApi,
    namespace: str,
    name: str,
    correlation_id: UUID,
    *,
    lock_timeout_ms: int | None,
    statement_timeout_ms: int | None,
) -> list[DesiredMigration]:
    target = f"{namespace}/configmap/{name}"
    context = pg_context("read_migrations", target, correlation_id)
    config_map = await kube.read_config_map(namespace, name, correlation_id)
    if config_map is None:
        raise ProtocolConfigurationError(
            f"ConfigMap {name} (migrationsFrom) does not exist in namespace {namespace}", context=context
        )
    if config_map.binary_keys:
        raise ProtocolConfigurationError(
            f"ConfigMap {name}: key {config_map.binary_keys[0]} is binaryData; migrations are text (data)",
            context=context,
        )
    return parse_config_map(
        name,
        config_map.data,
        context_target=target,
        correlation_id=correlation_id,
        lock_timeout_ms=lock_timeout_ms,
        statement_timeout_ms=statement_timeout_ms,
    )


def parse_config_map(
    name: str,
    data: dict[str, str],
    *,
    context_target: str,
    correlation_id: UUID,
    lock_timeout_ms: int | None = None,
    statement_timeout_ms: int | None = None,
) -> list[DesiredMigration]:
    """The ConfigMap's keys as migrations in version order (pure)."""
    context = pg_context("read_migrations", context_target, correlation_id)
    migrations: list[DesiredMigration] = []
    seen: dict[tuple[int, ...], str] = {}
    for key in sorted(data):
        match = KEY_PATTERN.fullmatch(key)
        if match is None:
            raise ProtocolConfigurationError(
                f"ConfigMap {name}: key {key} is not a migration; name each key V<version>__<description>.sql"
                " (such as V1.2__add_orders.sql)",
                context=context,
            )
        version = match.group(1)
        earlier = seen.get(version_key(version))
        if earlier is not None:
            raise ProtocolConfigurationError(
                f"ConfigMap {name}: keys {earlier} and {key} have the same version {version}", context=context
            )
        seen[version_key(version)] = key
        migrations.append(
            DesiredMigration(
                version=version,
                description=match.group(2).replace("_", " ").strip(),
                sql=data[key],
                lock_timeout_ms=lock_timeout_ms,
                statement_timeout_ms=statement_timeout_ms,
            )
        )
    if not migrations:
        raise ProtocolConfigurationError(f"ConfigMap {name} holds no migrations", context=context)
    return sorted(migrations, key=lambda migration: migration.key)
