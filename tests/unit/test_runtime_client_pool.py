"""One client per connection: kept while its settings stay, replaced and closed when they change."""

from __future__ import annotations

import pytest

from onex_operator.runtime.client_pool import ClientPool

pytestmark = pytest.mark.unit


def test_a_client_is_kept_until_its_settings_change() -> None:
    closed: list[str] = []
    pool: ClientPool[str, str] = ClientPool(lambda config: f"client({config})", closed.append)
    first = pool.get("ns/default", "password-1")
    assert pool.get("ns/default", "password-1") is first
    assert pool.get("ns/other", "password-1") == "client(password-1)"
    assert pool.get("ns/default", "password-2") == "client(password-2)"
    assert closed == [first]
