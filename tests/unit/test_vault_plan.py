"""The pure VaultSecret plan: generated values kept, literal drift corrected, prune, rotation."""

from __future__ import annotations

import itertools

import pytest

from onex_operator.models.model_generated_value import ModelGeneratedValue
from onex_operator.nodes.vault_adapter.enum_secret_change_kind import EnumSecretChangeKind
from onex_operator.nodes.vault_adapter.plan import plan_secret

pytestmark = pytest.mark.unit

GEN = ModelGeneratedValue(length=16)


class _Counter:
    """A deterministic generator that records how often it was asked."""

    def __init__(self) -> None:
        self._numbers = itertools.count(1)
        self.calls = 0

    def __call__(self, spec: ModelGeneratedValue, /) -> str:
        self.calls += 1
        return f"generated-{next(self._numbers)}-{spec.length}"


def test_absent_secret_adds_every_key_and_generates_once() -> None:
    generator = _Counter()
    plan = plan_secret(
        desired={"user": "app"},
        generated={"password": GEN},
        observed=None,
        prune=False,
        rotate=False,
        generate=generator,
    )
    assert plan.data == {"user": "app", "password": "generated-1-16"}
    assert plan.describe() == ["+ password (generated)", "+ user"]
    assert plan.needs_write
    assert plan.managed_keys == ["password", "user"]
    assert generator.calls == 1


def test_in_sync_secret_writes_nothing_and_keeps_generated_value() -> None:
    generator = _Counter()
    observed = {"user": "app", "password": "kept-value"}
    plan = plan_secret(
        desired={"user": "app"},
        generated={"password": GEN},
        observed=observed,
        prune=False,
        rotate=False,
        generate=generator,
    )
    assert plan.changes == []
    assert not plan.needs_write
    assert plan.data == observed
    assert generator.calls == 0


def test_changed_literal_is_named_without_its_value() -> None:
    plan = plan_secret(
        desired={"user": "new-user-value"},
        generated={},
        observed={"user": "old-user-value"},
        prune=False,
        rotate=False,
        generate=_Counter(),
    )
    assert plan.describe() == ["~ user (value differs)"]
    assert plan.data == {"user": "new-user-value"}
    rendered = " ".join(plan.describe()) + repr(plan) + str(plan.changes)
    assert "new-user-value" not in rendered
    assert "old-user-value" not in rendered


def test_unnamed_keys_are_kept_unless_prune() -> None:
    observed = {"user": "app", "extra": "someone-elses"}
    kept = plan_secret(
        desired={"user": "app"},
        generated={},
        observed=observed,
        prune=False,
        rotate=False,
        generate=_Counter(),
    )
    assert kept.changes == []
    assert kept.data == observed
    assert kept.managed_keys == ["user"]

    pruned = plan_secret(
        desired={"user": "app"},
        generated={},
        observed=observed,
        prune=True,
        rotate=False,
        generate=_Counter(),
    )
    assert pruned.describe() == ["- extra"]
    assert pruned.data == {"user": "app"}


def test_missing_generated_key_is_generated_and_others_kept() -> None:
    generator = _Counter()
    plan = plan_secret(
        desired={},
        generated={"a": GEN, "b": GEN},
        observed={"a": "kept"},
        prune=False,
        rotate=False,
        generate=generator,
    )
    assert plan.data == {"a": "kept", "b": "generated-1-16"}
    assert [(c.kind, c.key) for c in plan.changes] == [(EnumSecretChangeKind.ADD, "b")]


def test_rotation_regenerates_every_generated_key_only() -> None:
    generator = _Counter()
    plan = plan_secret(
        desired={"user": "app"},
        generated={"password": GEN, "token": ModelGeneratedValue(length=8)},
        observed={"user": "app", "password": "old-1", "token": "old-2"},
        prune=False,
        rotate=True,
        generate=generator,
    )
    assert plan.describe() == ["~ password (regenerated)", "~ token (regenerated)"]
    assert plan.data["user"] == "app"
    assert plan.data["password"] not in {"old-1", "old-2"}
    assert generator.calls == 2


def test_a_key_both_given_and_generated_is_refused() -> None:
    with pytest.raises(ValueError, match="both given and generated: k"):
        plan_secret(
            desired={"k": "v"},
            generated={"k": GEN},
            observed=None,
            prune=False,
            rotate=False,
            generate=_Counter(),
        )


def test_plan_is_pure_for_equal_inputs() -> None:
    arguments = {
        "desired": {"user": "app"},
        "generated": {"password": GEN},
        "observed": {"user": "other", "password": "p", "x": "y"},
        "prune": True,
        "rotate": False,
    }
    first = plan_secret(**arguments, generate=_Counter())  # type: ignore[arg-type]
    second = plan_secret(**arguments, generate=_Counter())  # type: ignore[arg-type]
    assert first == second
    assert first.describe() == ["~ user (value differs)", "- x"]
