"""A PostgresMigration's connection and credentials -> the client configuration for its database.

The server comes from the connection's `postgres` section; the role and password from the
connection (`user`, `passwordSecretRef`) or, with `credentialsFrom`, from a Secret in the resource's
own namespace with the keys `username` and `password` (the shape a VaultSecret's target writes).
Passwords are registered with the sanitizer as they are read; a user name is not a secret.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from uuid import UUID

from onex_operator.errors import ProtocolConfigurationError, SecretResolutionError, register_secret
from onex_operator.kube.api import KubeApi
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType
from onex_operator.models.model_connection_ref import ModelConnectionRef
from onex_operator.models.model_postgres_connection import ModelPostgresConnection
from onex_operator.nodes.connection_resolver.resolve import resolve_connection, secret_value
from onex_operator.nodes.postgres_adapter.errors import pg_context

_DB = EnumInfraTransportType.DB


@dataclass(frozen=True)
class PostgresConnection:
    """The connection's label, its postgres section and the password of its own user."""

    label: str
    server: ModelPostgresConnection
    password: str = field(repr=False)


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str = field(repr=False)


async def postgres_connection(
    kube: KubeApi, namespace: str, ref: ModelConnectionRef, correlation_id: UUID
) -> PostgresConnection:
    resolved = await resolve_connection(kube, namespace, ref, _DB, correlation_id)
    server = resolved.spec.postgres
    if server is None:
        raise ProtocolConfigurationError(
            f"connection {resolved.label} has no postgres section",
            context=pg_context("resolve_connection", resolved.label, correlation_id),
        )
    password = await secret_value(kube, namespace, server.password_secret_ref, _DB, correlation_id)
    return PostgresConnection(label=resolved.label, server=server, password=password)


async def credentials_from(kube: KubeApi, namespace: str, name: str, correlation_id: UUID) -> Credentials:
    """username and password from one Secret in the resource's namespace."""
    context = pg_context("resolve_credentials", f"{namespace}/secret/{name}", correlation_id)
    data = await kube.read_secret_data(namespace, name, correlation_id)
    if data is None:
        raise SecretResolutionError(f"Secret {name} does not exist in namespace {namespace}", context=context)
    values: dict[str, str] = {}
    for key in ("username", "password"):
        if key not in data:
            raise SecretResolutionError(
                f"Secret {name} in namespace {namespace} has no key {key}", context=context
            )
        try:
            values[key] = base64.b64decode(data[key], validate=True).decode()
        except (binascii.Error, UnicodeDecodeError) as error:
            raise SecretResolutionError(
                f"key {key} of Secret {name} is not valid UTF-8 text", context=context
            ) from error
    register_secret(values["password"])
    return Credentials(user=values["username"], password=values["password"])
