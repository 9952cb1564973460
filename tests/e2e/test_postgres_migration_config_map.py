"""PostgresMigration reads its migrations from a ConfigMap (`migrationsFrom.configMapRef`): keys
named V<version>__<description>.sql, applied in version order; a key added later is applied (the
ConfigMap is not watched: the next drift check reads it); another key name is refused, naming it."""

from __future__ import annotations

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from tests.e2e.conftest import Cluster, wait_until
from tests.e2e.postgres_helpers import (
    CONNECTION,
    PLURAL,
    Pg,
    apply,
    exists,
    history,
    pg_fixture,  # noqa: F401 - fixture
    schema_fixture,  # noqa: F401 - fixture
    status_of,
    use_postgres,
)

pytestmark = pytest.mark.e2e


def put_config_map(cluster: Cluster, name: str, data: dict[str, str]) -> None:
    body = client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name), data=data)
    try:
        cluster.core.replace_namespaced_config_map(name, cluster.namespace, body)
    except ApiException as error:
        if error.status != 404:
            raise
        cluster.core.create_namespaced_config_map(cluster.namespace, body)


def config_map_spec(schema: str, config_map: str) -> dict[str, object]:
    return {
        "connectionRef": {"kind": "InfraConnection", "name": CONNECTION},
        "database": "onex",
        "schema": schema,
        "migrationsFrom": {"configMapRef": {"name": config_map}},
    }


def test_config_map_migrations_apply_in_order_and_a_later_key_too(
    cluster: Cluster, pg: Pg, schema: str
) -> None:
    use_postgres(cluster)
    data = {
        # 10 sorts after 2 as a dotted number, not as text
        "V10__add_row.sql": "INSERT INTO items VALUES (10);",
        "V2__create_items.sql": "CREATE TABLE items (n int PRIMARY KEY);",
    }
    put_config_map(cluster, "migrations", data)
    apply(cluster, "from-map", config_map_spec(schema, "migrations"))
    cluster.wait_condition(PLURAL, "from-map", status="True", reason="Reconciled")

    rows = history(pg, schema)
    assert [(row["version"], row["description"]) for row in rows] == [
        ("2", "create items"),
        ("10", "add row"),
    ]
    assert all(row["success"] for row in rows)
    status = status_of(cluster, "from-map")
    assert (status["lastAppliedVersion"], status["appliedCount"], status["pending"]) == ("10", 2, 0)

    # a third key: applied at the next drift check (the ConfigMap is read, not watched)
    put_config_map(cluster, "migrations", {**data, "V11__second_table.sql": "CREATE TABLE more (n int);"})
    wait_until(lambda: exists(pg, f"{schema}.more"), 60, "the ConfigMap's new migration was not applied")
    cluster.wait_condition(PLURAL, "from-map", status="True", reason="Reconciled")
    wait_until(
        lambda: status_of(cluster, "from-map").get("appliedCount") == 3,
        30,
        lambda: f"status after the third migration: {status_of(cluster, 'from-map')}",
    )
    assert [row["version"] for row in history(pg, schema)] == ["2", "10", "11"]
    assert pg.rows(f'SELECT n FROM "{schema}".items') == [{"n": 10}]


def test_config_map_key_not_a_migration_is_refused(cluster: Cluster, pg: Pg, schema: str) -> None:
    use_postgres(cluster)
    put_config_map(
        cluster,
        "odd",
        {"V1__create.sql": "CREATE TABLE odd (n int);", "README.md": "not a migration"},
    )
    apply(cluster, "odd-keys", config_map_spec(schema, "odd"))
    found = cluster.wait_condition(PLURAL, "odd-keys", status="True", kind="Stalled")
    condition = found["condition"]
    assert isinstance(condition, dict)
    assert condition["reason"] == "ProtocolConfigurationError"
    assert "key README.md is not a migration" in str(condition["message"])
    assert not exists(pg, f"{schema}.odd")  # nothing ran
