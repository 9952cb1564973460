"""Migrations from a ConfigMap's keys (nodes/postgres_adapter/config_map.py): V<version>__<description>.sql
in version order; any other key name, two keys of one version or no migrations refused, naming why."""

from __future__ import annotations

import re
import uuid

import pytest

from onex_operator.errors import ProtocolConfigurationError
from onex_operator.nodes.postgres_adapter.config_map import parse_config_map

pytestmark = pytest.mark.unit


def parse(data: dict[str, str]) -> list[tuple[str, str, str]]:
    migrations = parse_config_map(
        "migrations",
        data,
        context_target="ns/configmap/migrations",
        correlation_id=uuid.uuid4(),
        statement_timeout_ms=5000,
    )
    assert all(m.transactional and m.statement_timeout_ms == 5000 for m in migrations)
    return [(m.version, m.description, m.sql) for m in migrations]


def test_keys_become_migrations_in_version_order() -> None:
    data = {
        "V10__last.sql": "c",
        "V2.1__add_orders_table.sql": "b",
        "V1__init.sql": "a",
        "V2__.sql": "d",
    }
    assert parse(data) == [
        ("1", "init", "a"),
        ("2", "", "d"),
        ("2.1", "add orders table", "b"),
        ("10", "last", "c"),
    ]


@pytest.mark.parametrize(
    "key", ["README.md", "v1__lower.sql", "V1_init.sql", "V1__init.SQL", "Vx__init.sql", "R__view.sql"]
)
def test_another_key_name_is_refused_naming_it(key: str) -> None:
    with pytest.raises(ProtocolConfigurationError, match=re.escape(f"key {key} is not a migration")):
        parse({"V1__init.sql": "a", key: "b"})


def test_one_version_twice_is_refused() -> None:
    with pytest.raises(
        ProtocolConfigurationError,
        match=re.escape("keys V1.0__again.sql and V1__init.sql have the same version"),
    ):
        parse({"V1__init.sql": "a", "V1.0__again.sql": "b"})


def test_no_migrations_is_refused() -> None:
    with pytest.raises(ProtocolConfigurationError, match="holds no migrations"):
        parse({})
