"""A placeholder value from a Secret reaches the database as one quoted literal and nowhere else:
not in status, Events, the operator's log, /metrics or the history table, even when the server
quotes it back in an error."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.e2e.conftest import Cluster, OperatorProcess
from tests.e2e.postgres_helpers import (
    Pg,
    apply,
    history,
    migration_spec,
    pg_fixture,  # noqa: F401 - fixture
    schema_fixture,  # noqa: F401 - fixture
    status_of,
    use_postgres,
)

pytestmark = pytest.mark.e2e


def test_placeholder_canary_stays_in_the_database_only(
    cluster: Cluster, operator: OperatorProcess, pg: Pg, schema: str
) -> None:
    use_postgres(cluster)
    canary = f"canary-{uuid.uuid4().hex}'); DROP TABLE kept; --"
    cluster.put_secret("app-secret", {"token": canary})
    migrations: list[dict[str, object]] = [
        {"version": "1", "sql": "CREATE TABLE kept (v text); INSERT INTO kept VALUES (${token});"},
    ]
    placeholders = [{"name": "token", "valueFrom": {"secretKeyRef": {"name": "app-secret", "key": "token"}}}]
    apply(cluster, "canary", migration_spec(schema, migrations, placeholders=placeholders))
    cluster.wait_condition("postgresmigrations", "canary", status="True", reason="Reconciled")
    assert pg.value(f'SELECT v FROM "{schema}".kept') == canary  # one literal, nothing dropped

    # the server quotes the value back in its error: the condition must not
    migrations.append({"version": "2", "sql": "SELECT (${token})::int;"})
    apply(cluster, "canary", migration_spec(schema, migrations, placeholders=placeholders))
    found = cluster.wait_condition("postgresmigrations", "canary", status="True", kind="Stalled")
    assert "22P02" in str(found["condition"]["message"])  # type: ignore[index]

    secret_part = canary.split("'", maxsplit=1)[0]
    places = {
        "status": json.dumps(status_of(cluster, "canary")),
        "events": " ".join(str(event.message) for event in cluster.events("canary")),
        "log": operator.log(),
        "metrics": operator.get("/metrics")[1],
        "history": json.dumps(history(pg, schema), default=str),
    }
    for place, text in places.items():
        assert secret_part not in text, place
