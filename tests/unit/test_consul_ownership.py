"""Whose a Consul registration is: the operator's meta and the owner's uid."""

from __future__ import annotations

import pytest

from onex_operator.nodes.consul_adapter.model_consul_observation import ModelConsulServiceObservation
from onex_operator.nodes.consul_adapter.ownership import ownership_meta, ownership_of
from onex_operator.runtime.managed.adapter import EnumOwnership

pytestmark = pytest.mark.unit


def registration(meta: dict[str, str]) -> ModelConsulServiceObservation:
    return ModelConsulServiceObservation(
        service_id="shop-orders", name="orders", address="", port=80, tags=(), meta=meta, checks=()
    )


def test_absent_is_absent() -> None:
    assert ownership_of(None, "uid-1").state is EnumOwnership.ABSENT


def test_our_meta_and_uid_is_ours() -> None:
    assert (
        ownership_of(registration({**ownership_meta("uid-1"), "team": "a"}), "uid-1").state
        is EnumOwnership.OURS
    )


def test_registration_without_our_meta_is_foreign_and_adoptable() -> None:
    verdict = ownership_of(registration({"team": "a"}), "uid-1")
    assert verdict.state is EnumOwnership.FOREIGN
    assert verdict.adoptable
    assert "not by this operator" in verdict.detail and "adopt" in verdict.detail


def test_registration_of_another_resource_is_foreign_naming_its_owner() -> None:
    verdict = ownership_of(registration(ownership_meta("uid-2")), "uid-1")
    assert verdict.state is EnumOwnership.FOREIGN
    assert "uid-2" in verdict.detail


def test_managed_by_with_another_value_is_not_ours() -> None:
    meta = {"managed-by": "someone-else", "owner-uid": "uid-1"}
    assert ownership_of(registration(meta), "uid-1").state is EnumOwnership.FOREIGN
