"""Drift of a VaultSecret's secret: out-of-band changes corrected with an Event, keys written by
others kept unless prune, the target Secret kept equal to Vault, and Observe that only reports."""

from __future__ import annotations

import base64

import pytest

from tests.e2e.conftest import Cluster, wait_until
from tests.e2e.vault_helpers import (
    KIND,
    KV2,
    PLURAL,
    Bao,
    events,
    patch,
    secret_data,
    status_of,
    wait_data,
    wait_ready,
    wait_ready_reason,
)

pytestmark = pytest.mark.e2e


def spec_of(path: str, **extra: object) -> dict[str, object]:
    return {
        "path": path,
        "data": [
            {"key": "host", "value": "db.internal-3c7e"},
            {"key": "password", "generate": {"length": 20}},
        ],
        "target": {"name": "drifty"},
        **extra,
    }


def test_out_of_band_change_of_a_managed_key_is_corrected(
    vault_cluster: Cluster, bao: Bao, kv_root: str
) -> None:
    cluster, path = vault_cluster, f"{kv_root}/drifty"
    cluster.apply(PLURAL, KIND, "drifty", spec_of(path))
    wait_ready(cluster, "drifty")
    good = bao.read(KV2, path)
    assert good is not None and good.version is not None

    tampered = bao.write(KV2, path, {**good.data, "host": "evil-8d1f"})
    assert tampered is not None
    wait_data(bao, path, good.data)
    corrected = bao.read(KV2, path)
    assert corrected is not None and corrected.version is not None
    assert corrected.version > tampered, "the correction is not a new version"

    def corrections() -> list[str]:
        return [message for _, message in events(cluster, "drifty", "DriftCorrected")]

    wait_until(
        lambda: bool(corrections()), 15, lambda: f"no DriftCorrected Event: {events(cluster, 'drifty')}"
    )
    assert any("host" in message and "correlationId" in message for message in corrections()), corrections()
    assert not any("evil-8d1f" in m or "db.internal-3c7e" in m for m in corrections()), (
        "an Event holds a value"
    )
    assert secret_data(cluster, "drifty") == good.data
    wait_ready(cluster, "drifty")


def test_out_of_band_change_of_the_target_secret_is_corrected(
    vault_cluster: Cluster, bao: Bao, kv_root: str
) -> None:
    cluster, path = vault_cluster, f"{kv_root}/target"
    cluster.apply(PLURAL, KIND, "drifty", spec_of(path))
    wait_ready(cluster, "drifty")
    good = bao.data(KV2, path)
    assert good is not None and secret_data(cluster, "drifty") == good

    secret = cluster.core.read_namespaced_secret("drifty", cluster.namespace)
    secret.data = {**secret.data, "host": base64.b64encode(b"evil").decode(), "injected": "eA=="}
    cluster.core.replace_namespaced_secret("drifty", cluster.namespace, secret)
    wait_until(
        lambda: secret_data(cluster, "drifty") == good,
        30,
        lambda: f"the target Secret was not put back: keys {sorted(secret_data(cluster, 'drifty') or {})}",
    )
    assert bao.data(KV2, path) == good, "Vault followed the target Secret"

    cluster.core.delete_namespaced_secret("drifty", cluster.namespace)
    wait_until(
        lambda: secret_data(cluster, "drifty") == good,
        30,
        "the deleted target Secret was not made again",
    )


def test_keys_written_by_others_are_kept_unless_prune(vault_cluster: Cluster, bao: Bao, kv_root: str) -> None:
    cluster, path = vault_cluster, f"{kv_root}/shared"
    spec = spec_of(path)
    cluster.apply(PLURAL, KIND, "drifty", spec)
    wait_ready(cluster, "drifty")
    good = bao.data(KV2, path)
    assert good is not None
    extra_version = bao.write(KV2, path, {**good, "added-by-hand": "x"})

    # the operator has seen it once the target Secret carries it; Vault keeps it
    wait_until(
        lambda: "added-by-hand" in (secret_data(cluster, "drifty") or {}),
        30,
        "the extra key never reached the target Secret",
    )
    secret = bao.read(KV2, path)
    assert secret is not None and secret.data == {**good, "added-by-hand": "x"}
    assert secret.version == extra_version, "the operator wrote to Vault for a key it does not manage"
    assert status_of(cluster, "drifty")["keys"] == ["host", "password"]

    patch(cluster, "drifty", {"spec": {"prune": True}})
    wait_data(bao, path, good)
    wait_until(
        lambda: secret_data(cluster, "drifty") == good,
        30,
        "the pruned key is still in the target Secret",
    )
    wait_ready(cluster, "drifty")


def test_observe_reports_drift_by_key_and_never_writes(
    vault_cluster: Cluster, bao: Bao, kv_root: str
) -> None:
    cluster, path = vault_cluster, f"{kv_root}/observed"
    spec = {
        "path": path,
        "data": [{"key": "host", "value": "db.internal-3c7e"}, {"key": "port", "value": "5432"}],
    }
    cluster.apply(PLURAL, KIND, "observed", spec)
    wait_ready(cluster, "observed")
    cluster.apply(PLURAL, KIND, "observed", {**spec, "managementPolicy": "Observe"})
    wait_ready(cluster, "observed", "InSync")

    tampered = bao.write(KV2, path, {"host": "evil-8d1f", "port": "5432"})
    status = wait_ready_reason(cluster, "observed", "DriftDetected")
    ready = cluster.condition(PLURAL, "observed") or {}
    message = str(ready.get("message"))
    assert "host" in message and "port" not in message, message
    assert "evil-8d1f" not in message and "db.internal-3c7e" not in message, message
    assert "evil-8d1f" not in str(status) and "db.internal-3c7e" not in str(status)
    drift_events = events(cluster, "observed", "DriftDetected")
    assert drift_events and not any("evil-8d1f" in m for _, m in drift_events), drift_events

    # a second check finds the same drift: still nothing written
    cluster.apply(PLURAL, KIND, "observed", {**spec, "managementPolicy": "Observe", "driftInterval": "2s"})
    wait_ready_reason(cluster, "observed", "DriftDetected")
    secret = bao.read(KV2, path)
    assert secret is not None and secret.version == tampered, "Observe wrote to Vault"
    assert secret.data == {"host": "evil-8d1f", "port": "5432"}


def test_observe_an_adopted_secret_in_sync_is_ready_and_untouched(
    vault_cluster: Cluster, bao: Bao, kv_root: str
) -> None:
    """Observe writes nothing, not even the ownership marker; an adopted secret that matches the
    spec is therefore in sync, not drifted."""
    cluster, path = vault_cluster, f"{kv_root}/watched"
    version = bao.write(KV2, path, {"host": "db.internal-3c7e"})
    spec = {
        "path": path,
        "managementPolicy": "Observe",
        "adopt": True,
        "data": [{"key": "host", "value": "db.internal-3c7e"}],
    }
    cluster.apply(PLURAL, KIND, "watched", spec)
    status = wait_ready(cluster, "watched", "InSync")
    assert status.get("version") == version, status
    secret = bao.read(KV2, path)
    assert secret is not None and secret.version == version and secret.custom_metadata == {}, secret

    bao.write(KV2, path, {"host": "evil-8d1f"})
    wait_ready_reason(cluster, "watched", "DriftDetected")
    assert bao.data(KV2, path) == {"host": "evil-8d1f"}
