"""The keyed data hash: stable, order-free, unambiguous, and useless without the key."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onex_operator.nodes.vault_adapter.hashing import data_hash

pytestmark = pytest.mark.unit

KEY = b"operator-hash-key-0123456789abcdef"


def test_shape_and_stability() -> None:
    digest = data_hash(KEY, {"user": "app", "password": "s3cret-value"})
    assert re.fullmatch(r"hmac-sha256:[0-9a-f]{32}", digest)
    assert digest == data_hash(KEY, {"password": "s3cret-value", "user": "app"})
    assert "s3cret-value" not in digest


def test_any_change_of_key_value_or_hash_key_changes_the_hash() -> None:
    base = data_hash(KEY, {"user": "app"})
    assert data_hash(KEY, {"user": "app2"}) != base
    assert data_hash(KEY, {"user2": "app"}) != base
    assert data_hash(KEY, {"user": "app", "x": ""}) != base
    assert data_hash(b"another-key", {"user": "app"}) != base


def test_encoding_is_unambiguous() -> None:
    assert data_hash(KEY, {"a": "bc"}) != data_hash(KEY, {"ab": "c"})
    assert data_hash(KEY, {"a": "b", "c": "d"}) != data_hash(KEY, {"a": "b\x00c\x00d"})
    assert data_hash(KEY, {}) != data_hash(KEY, {"": ""})


def test_an_empty_key_is_refused() -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        data_hash(b"", {"a": "b"})


@given(st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=4))
def test_hash_depends_only_on_content(data: dict[str, str]) -> None:
    reordered = dict(reversed(list(data.items())))
    assert data_hash(KEY, data) == data_hash(KEY, reordered)
