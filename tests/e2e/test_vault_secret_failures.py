"""OpenBao unavailable: sealed in the middle of a change (InfraResourceUnavailableError, Ready again
after the unseal with no user action), not listening at all (InfraConnectionError) and listening
without ever answering (InfraTimeoutError)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.e2e.conftest import Cluster, free_port, wait_until
from tests.e2e.vault_helpers import (
    KIND,
    PLURAL,
    Bao,
    condition_status,
    events,
    status_of,
    token_auth,
    vault_connection,
    wait_data,
    wait_ready,
    wait_ready_reason,
)

pytestmark = pytest.mark.e2e


def test_sealed_during_reconcile_then_ready_after_unseal(
    vault_cluster: Cluster, bao: Bao, kv_root: str
) -> None:
    cluster, path = vault_cluster, f"{kv_root}/sealed"
    spec: dict[str, object] = {
        "path": path,
        "data": [{"key": "a", "value": "1"}],
        "target": {"name": "sealed"},
    }
    cluster.apply(PLURAL, KIND, "sealed", spec)
    wait_ready(cluster, "sealed")
    try:
        bao.seal()
        # a change made while OpenBao is sealed: the reconcile it starts cannot read the secret
        cluster.apply(
            PLURAL, KIND, "sealed", {**spec, "data": [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}]}
        )
        status = wait_ready_reason(cluster, "sealed", "InfraResourceUnavailableError")
    finally:
        bao.unseal()
    last_error = status.get("lastError")
    assert isinstance(last_error, dict), status
    assert last_error["transport"] == "vault" and last_error["retryable"] is True, last_error
    assert "sealed" in str(last_error["message"]), last_error
    assert condition_status(cluster, "sealed", "Stalled") == "False"
    assert condition_status(cluster, "sealed", "Reconciling") == "True"

    # nothing else changes: the operator notices the unseal by itself
    status = wait_ready(cluster, "sealed")
    wait_data(bao, path, {"a": "1", "b": "2"})
    assert "lastError" not in status, status
    wait_until(
        lambda: "Recovered" in {reason for reason, _ in events(cluster, "sealed")},
        15,
        lambda: f"no Recovered Event: {events(cluster, 'sealed')}",
    )


def test_nothing_listening_is_a_connection_error(vault_cluster: Cluster, bao: Bao, kv_root: str) -> None:
    """The error names the address it could not reach, intact: a literal "1" written by another
    VaultSecret before (public configuration) is not redacted from 127.0.0.1."""
    cluster = vault_cluster
    cluster.apply(
        PLURAL, KIND, "literal", {"path": f"{kv_root}/literal", "data": [{"key": "n", "value": "1"}]}
    )
    wait_ready(cluster, "literal")
    nowhere = f"http://127.0.0.1:{free_port()}"
    vault_connection(cluster, "nowhere", bao, token_auth(), address=nowhere)
    cluster.apply(
        PLURAL,
        KIND,
        "nowhere",
        {
            "path": f"{kv_root}/nowhere",
            "connectionRef": {"kind": "InfraConnection", "name": "nowhere"},
            "data": [{"key": "k", "value": "v"}],
        },
    )
    status = wait_ready_reason(cluster, "nowhere", "InfraConnectionError")
    last_error = status["lastError"]
    assert isinstance(last_error, dict) and nowhere in str(last_error.get("target")), last_error
    assert condition_status(cluster, "nowhere", "Stalled") == "False"
    assert status_of(cluster, "nowhere").get("version") is None
    assert bao.metadata(f"{kv_root}/nowhere") is None


@contextmanager
def silent_server() -> Iterator[str]:
    """An address that accepts connections and never answers a request."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, name="silent-vault", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        for connection in [*held, server]:
            connection.close()


def test_no_answer_within_the_contract_timeout_is_a_timeout_error(
    vault_cluster: Cluster, bao: Bao, kv_root: str
) -> None:
    cluster = vault_cluster
    with silent_server() as silent:
        vault_connection(cluster, "silent", bao, token_auth(), address=silent)
        cluster.apply(
            PLURAL,
            KIND,
            "silent",
            {
                "path": f"{kv_root}/silent",
                "connectionRef": {"kind": "InfraConnection", "name": "silent"},
                "data": [{"key": "k", "value": "v"}],
            },
        )
        # one call waits out its contract timeout (10 s) before it fails
        status = wait_ready_reason(cluster, "silent", "InfraTimeoutError", timeout=90)
    last_error = status["lastError"]
    assert isinstance(last_error, dict) and last_error["retryable"] is True, last_error
    assert silent in str(last_error.get("target")), last_error
    assert condition_status(cluster, "silent", "Stalled") == "False"
