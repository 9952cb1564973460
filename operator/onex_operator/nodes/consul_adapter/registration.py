"""A ConsulService's spec -> the registration it asks for (pure).

Check ids are `<serviceId>:<check name>`, so an application can update its TTL check by a name it
knows (`PUT /v1/agent/check/pass/<serviceId>:<name>`).
"""

from __future__ import annotations

import hashlib
import json

from onex_operator.durations import parse_duration
from onex_operator.models.model_consul_check import ModelConsulCheck
from onex_operator.models.model_consul_service_spec import ModelConsulServiceSpec
from onex_operator.nodes.consul_adapter.enum_consul_check_kind import EnumConsulCheckKind
from onex_operator.nodes.consul_adapter.model_consul_registration import (
    ModelConsulCheckDefinition,
    ModelConsulRegistration,
)
from onex_operator.nodes.consul_adapter.ownership import MANAGED_BY_VALUE, ownership_meta

NOTES_PREFIX = f"managed by {MANAGED_BY_VALUE}; definition "


def service_id_of(spec: ModelConsulServiceSpec, namespace: str, name: str) -> str:
    return spec.service_id or f"{namespace}-{name}"


def check_id_of(service_id: str, check_name: str) -> str:
    return f"{service_id}:{check_name}"


def desired_registration(
    spec: ModelConsulServiceSpec, namespace: str, name: str, uid: str
) -> ModelConsulRegistration:
    service_id = service_id_of(spec, namespace, name)
    return ModelConsulRegistration(
        service_id=service_id,
        name=spec.service_name,
        address=spec.address or "",
        port=spec.port,
        tags=tuple(spec.tags or ()),
        meta={**(spec.meta or {}), **ownership_meta(uid)},
        checks=tuple(_check(service_id, check) for check in spec.checks or ()),
    )


def seconds(duration: str | None) -> float | None:
    """A Go duration in seconds; None when absent or unreadable (Consul writes 1m0s for 1m)."""
    if not duration:
        return None
    try:
        return parse_duration(duration)
    except ValueError:
        return None


def _check(service_id: str, check: ModelConsulCheck) -> ModelConsulCheckDefinition:
    if check.http is not None:
        kind, target = EnumConsulCheckKind.HTTP, check.http
    elif check.tcp is not None:
        kind, target = EnumConsulCheckKind.TCP, check.tcp
    else:
        kind, target = EnumConsulCheckKind.TTL, check.ttl or ""
    # a TTL check has no interval or timeout: Consul refuses them there, so they are not sent
    timed = kind is not EnumConsulCheckKind.TTL
    interval = check.interval if timed else None
    timeout = check.timeout if timed else None
    fingerprint = hashlib.sha256(
        json.dumps(
            {
                "kind": kind.value,
                "target": target if kind is not EnumConsulCheckKind.TTL else seconds(target),
                "interval": seconds(interval),
                "timeout": seconds(timeout),
                "deregister": seconds(check.deregister_critical_service_after),
            },
            sort_keys=True,
        ).encode()
    ).hexdigest()[:16]
    return ModelConsulCheckDefinition(
        check_id=check_id_of(service_id, check.name),
        name=check.name,
        kind=kind,
        target=target,
        interval=interval,
        timeout=timeout,
        deregister_critical_service_after=check.deregister_critical_service_after,
        notes=NOTES_PREFIX + fingerprint,
    )
