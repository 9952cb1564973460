"""Effective paths: the prefix with {namespace} expanded, and nothing escapes it."""

from __future__ import annotations

import uuid

import pytest

from onex_operator.errors import ProtocolConfigurationError
from onex_operator.models.model_vault_connection import ModelVaultConnection
from onex_operator.nodes.vault_adapter.paths import effective_path

pytestmark = pytest.mark.unit


def _path(path: str, prefix: str | None) -> str:
    return effective_path(
        path=path, path_prefix=prefix, namespace="team-a", mount="secret", correlation_id=uuid.uuid4()
    )


def test_prefix_and_namespace() -> None:
    assert _path("orders/db", None) == "orders/db"
    assert _path("orders/db", "apps") == "apps/orders/db"
    assert _path("db", "tenants/{namespace}/apps") == "tenants/team-a/apps/db"
    assert _path("db", "{namespace}") == "team-a/db"
    assert _path("db", "x-{namespace}") == "x-team-a/db"


@pytest.mark.parametrize(
    ("path", "prefix", "reason"),
    [
        ("../other-team/db", "tenants/{namespace}", "'..' segment"),
        ("a/../../b", "p", "'..' segment"),
        ("./db", None, "'.' segment"),
        ("/etc/db", "p", "absolute"),
        ("a//b", "p", "empty segment"),
        ("a/", "p", "empty segment"),
        ("", "p", "empty"),
        ("db", "/abs", "absolute"),
        ("db", "p/../q", "'..' segment"),
        ("db", "{other}", "placeholder"),
        ("db", "a b", "character outside"),
        ("a%2F..", None, "character outside"),
    ],
)
def test_escapes_are_configuration_errors(path: str, prefix: str | None, reason: str) -> None:
    with pytest.raises(ProtocolConfigurationError, match=reason) as raised:
        _path(path, prefix)
    assert raised.value.context.transport_type.value == "vault"


def test_connection_model_accepts_the_namespace_placeholder() -> None:
    connection = ModelVaultConnection.model_validate(
        {
            "address": "http://vault:8200",
            "auth": {"token": {"secretRef": {"name": "s", "key": "k"}}},
            "pathPrefix": "tenants/{namespace}/apps",
        }
    )
    assert connection.path_prefix == "tenants/{namespace}/apps"
    with pytest.raises(ValueError, match="pathPrefix"):
        ModelVaultConnection.model_validate(
            {"address": "http://v:8200", "auth": {}, "pathPrefix": "a/{name}"}
        )
