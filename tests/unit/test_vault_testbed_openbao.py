"""The test-bed's OpenBao set-up pieces that need no running server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from onex_operator.testbed.components.openbao import _unseal_key_in
from onex_operator.testbed.credentials import load_or_create_credentials

pytestmark = pytest.mark.unit


def test_unseal_key_of_the_latest_start(tmp_path: Path) -> None:
    log = tmp_path / "openbao.log"
    assert _unseal_key_in(log) is None
    log.write_text(
        "\n--- started 2026-01-01T00:00:00: bao\nUnseal Key: first-key=\nRoot Token: x\n"
        "\n--- started 2026-01-02T00:00:00: bao\n==> OpenBao server started!\n"
    )
    assert _unseal_key_in(log) is None  # the latest start has not printed it yet
    with log.open("a") as handle:
        handle.write("Unseal Key: second-key=\n")
    assert _unseal_key_in(log) == "second-key="


def test_old_credentials_files_gain_the_approle_fields_once(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    first = load_or_create_credentials(path)
    old = json.loads(path.read_text())
    del old["openbao_approle_role_id"], old["openbao_approle_secret_id"]
    path.write_text(json.dumps(old))
    upgraded = load_or_create_credentials(path)
    assert upgraded.openbao_approle_secret_id
    assert upgraded.openbao_root_token == first.openbao_root_token
    assert load_or_create_credentials(path) == upgraded  # written back, stable from now on
    assert path.stat().st_mode & 0o777 == 0o600
