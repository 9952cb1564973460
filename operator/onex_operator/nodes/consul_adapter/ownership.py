"""Ownership of a registration, recorded in its service meta: `managed-by` and the owner's uid.

A registration without our `managed-by` is someone else's; one with it but another uid belongs to
another ConsulService (or to one deleted with Retain). Either is FOREIGN: reported, and taken over
only with `adopt: true`.
"""

from __future__ import annotations

from onex_operator.nodes.consul_adapter.model_consul_observation import ModelConsulServiceObservation
from onex_operator.runtime.managed.adapter import EnumOwnership, Ownership

MANAGED_BY_KEY = "managed-by"
MANAGED_BY_VALUE = "onex-infra-operator"
OWNER_UID_KEY = "owner-uid"
OWNERSHIP_KEYS = (MANAGED_BY_KEY, OWNER_UID_KEY)


def ownership_meta(uid: str) -> dict[str, str]:
    """The meta the operator writes on every registration it manages."""
    return {MANAGED_BY_KEY: MANAGED_BY_VALUE, OWNER_UID_KEY: uid}


def is_managed(meta: dict[str, str]) -> bool:
    return meta.get(MANAGED_BY_KEY) == MANAGED_BY_VALUE


def ownership_of(observed: ModelConsulServiceObservation | None, uid: str) -> Ownership:
    if observed is None:
        return Ownership(EnumOwnership.ABSENT)
    meta = observed.meta
    if is_managed(meta) and meta.get(OWNER_UID_KEY) == uid:
        return Ownership(EnumOwnership.OURS)
    if is_managed(meta):
        detail = (
            f"service id {observed.service_id} is registered by another ConsulService (owner uid "
            f"{meta.get(OWNER_UID_KEY) or 'unknown'}); set spec.adopt: true to take it over"
        )
    else:
        detail = (
            f"service id {observed.service_id} is already registered in Consul, not by this operator "
            f"(no {MANAGED_BY_KEY}: {MANAGED_BY_VALUE} in its meta); set spec.adopt: true to manage it"
        )
    return Ownership(EnumOwnership.FOREIGN, detail=detail)
