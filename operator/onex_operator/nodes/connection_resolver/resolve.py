"""connectionRef -> the connection's spec, and Secret references -> values.

Values read from Secrets are registered with the sanitizer the moment they are read, so no later
message, log line or status can carry them out of the process.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from uuid import UUID

from pydantic import ValidationError

from onex_operator.errors import (
    ModelInfraErrorContext,
    ProtocolConfigurationError,
    SecretResolutionError,
    register_secret,
)
from onex_operator.kube.api import KubeApi
from onex_operator.models.enum_connection_kind import EnumConnectionKind
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType
from onex_operator.models.model_cluster_infra_connection_spec import ModelClusterInfraConnectionSpec
from onex_operator.models.model_connection_ref import ModelConnectionRef
from onex_operator.models.model_infra_connection_spec import ModelInfraConnectionSpec
from onex_operator.models.model_secret_key_ref import ModelSecretKeyRef

OPERATION = "resolve_connection"


@dataclass(frozen=True)
class ResolvedConnection:
    """A connection's spec and the label it is known by (namespace/name or cluster/name)."""

    label: str
    spec: ModelInfraConnectionSpec


def _context(transport: EnumInfraTransportType, target: str, correlation_id: UUID) -> ModelInfraErrorContext:
    return ModelInfraErrorContext(
        transport_type=transport, operation=OPERATION, target_name=target, correlation_id=correlation_id
    )


async def resolve_connection(
    kube: KubeApi,
    namespace: str,
    ref: ModelConnectionRef,
    transport: EnumInfraTransportType,
    correlation_id: UUID,
) -> ResolvedConnection:
    if ref.kind is EnumConnectionKind.CLUSTER_INFRA_CONNECTION:
        label = f"cluster/{ref.name}"
        body = await kube.get_cluster("clusterinfraconnections", ref.name, correlation_id)
    else:
        label = f"{namespace}/{ref.name}"
        body = await kube.get_namespaced("infraconnections", namespace, ref.name, correlation_id)
    context = _context(transport, label, correlation_id)
    if body is None:
        raise ProtocolConfigurationError(f"{ref.kind.value} {ref.name} does not exist", context=context)
    raw_spec = body.get("spec", {})
    try:
        if ref.kind is EnumConnectionKind.CLUSTER_INFRA_CONNECTION:
            cluster_spec = ModelClusterInfraConnectionSpec.model_validate(raw_spec)
            allowed = cluster_spec.allowed_namespaces or []
            if "*" not in allowed and namespace not in allowed:
                raise ProtocolConfigurationError(
                    f"ClusterInfraConnection {ref.name} does not allow namespace {namespace} "
                    "(add it to allowedNamespaces)",
                    context=context,
                )
            spec: ModelInfraConnectionSpec = cluster_spec
        else:
            spec = ModelInfraConnectionSpec.model_validate(raw_spec)
    except ValidationError as error:
        raise ProtocolConfigurationError(
            f"{ref.kind.value} {ref.name} is invalid: {error}", context=context
        ) from error
    return ResolvedConnection(label=label, spec=spec)


async def secret_value(
    kube: KubeApi,
    namespace: str,
    ref: ModelSecretKeyRef,
    transport: EnumInfraTransportType,
    correlation_id: UUID,
) -> str:
    """The value of one key of a Secret in `namespace` (always the resource's own namespace)."""
    context = _context(transport, f"{namespace}/secret/{ref.name}", correlation_id)
    data = await kube.read_secret_data(namespace, ref.name, correlation_id)
    if data is None:
        raise SecretResolutionError(
            f"Secret {ref.name} does not exist in namespace {namespace}", context=context
        )
    if ref.key not in data:
        raise SecretResolutionError(
            f"Secret {ref.name} in namespace {namespace} has no key {ref.key}", context=context
        )
    try:
        value = base64.b64decode(data[ref.key], validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as error:
        raise SecretResolutionError(
            f"key {ref.key} of Secret {ref.name} is not valid UTF-8 text", context=context
        ) from error
    register_secret(value)
    return value
