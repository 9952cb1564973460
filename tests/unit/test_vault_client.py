"""VaultKv against a fake Vault over HTTP: threads not the event loop, bounded concurrency,
contract timeouts, lazy login and one re-login for a refused login token (not for a policy)."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pydantic import SecretStr

from onex_operator.errors import (
    InfraAuthenticationError,
    InfraConnectionError,
    InfraTimeoutError,
    ProtocolConfigurationError,
    sanitize,
)
from onex_operator.nodes.vault_adapter import client as client_module
from onex_operator.nodes.vault_adapter.client import VaultKv
from onex_operator.nodes.vault_adapter.model_vault_client_config import (
    ModelVaultAppRoleLogin,
    ModelVaultClientConfig,
    ModelVaultTokenLogin,
)

pytestmark = pytest.mark.unit

CANARY = "canary-read-value-7d41"


class _FakeVault:
    def __init__(self) -> None:
        self.valid_tokens: set[str] = {"root-token"}
        self.logins = 0
        self.lookups = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.slow_seconds = 0.05
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()

    def answer(self, method: str, path: str, token: str) -> tuple[int, dict[str, object]]:
        authorized = token in self.valid_tokens
        if method == "POST" and path == "/v1/auth/approle/login":
            with self.lock:
                self.logins += 1
                new = f"login-token-{self.logins}"
                self.valid_tokens.add(new)
            return 200, {"auth": {"client_token": new, "lease_duration": 3600}}
        if not authorized:
            return 403, {"errors": ["permission denied"]}
        if path == "/v1/auth/token/lookup-self":
            self.lookups += 1
            return 200, {"data": {"id": "x"}}
        if path == "/v1/sys/internal/ui/mounts/secret":
            return 200, {"data": {"type": "kv", "path": "secret/", "options": {"version": "2"}}}
        if path == "/v1/secret/data/denied":
            return 403, {"errors": ["permission denied"]}
        if path == "/v1/secret/data/blocking":
            self.arrived.set()
            self.release.wait(10)
        if path in {"/v1/secret/data/slow", "/v1/secret/data/very-slow"}:
            with self.lock:
                self.in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self.in_flight)
            threading.Event().wait(self.slow_seconds if path.endswith("/slow") else 3)
            with self.lock:
                self.in_flight -= 1
        metadata = {
            "version": 3,
            "custom_metadata": {"managed-by": "x"},
            "deletion_time": "",
            "destroyed": False,
        }
        return 200, {"data": {"data": {"k": CANARY, "n": 98765432}, "metadata": metadata}}


@pytest.fixture
def fake() -> Iterator[tuple[_FakeVault, str]]:
    vault = _FakeVault()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            status, body = vault.answer(self.command, self.path, self.headers.get("X-Vault-Token", ""))
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST = do_DELETE = _serve  # noqa: N815

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield vault, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        vault.release.set()
        server.shutdown()
        server.server_close()


def _approle(address: str, **options: int) -> VaultKv:
    auth = ModelVaultAppRoleLogin(role_id="role", secret_id=SecretStr("secret-id-canary"))
    return VaultKv(ModelVaultClientConfig(address=address, auth=auth), **options)


def _token(address: str, token: str = "root-token") -> VaultKv:
    return VaultKv(ModelVaultClientConfig(address=address, auth=ModelVaultTokenLogin(token=SecretStr(token))))


async def test_read_registers_values_and_logs_in_once(fake: tuple[_FakeVault, str]) -> None:
    vault, address = fake
    kv = _approle(address)
    try:
        first = await kv.read("secret", "p", 2, uuid.uuid4())
        await asyncio.gather(*(kv.read("secret", "p", 2, uuid.uuid4()) for _ in range(10)))
    finally:
        kv.close()
    assert first is not None
    assert first.data == {"k": CANARY, "n": "98765432"}
    assert (first.version, first.custom_metadata) == (3, {"managed-by": "x"})
    assert CANARY not in sanitize(f"leaked {CANARY}")
    assert "login-token-1" not in sanitize("token login-token-1")
    assert vault.logins == 1


async def test_refused_login_token_logs_in_again_once(fake: tuple[_FakeVault, str]) -> None:
    vault, address = fake
    kv = _approle(address)
    try:
        await kv.read("secret", "p", 2, uuid.uuid4())
        vault.valid_tokens.clear()  # revoked or expired
        results = await asyncio.gather(*(kv.read("secret", "p", 2, uuid.uuid4()) for _ in range(5)))
    finally:
        kv.close()
    assert all(result is not None for result in results)
    assert vault.logins == 2


async def test_policy_denial_is_not_a_reason_to_log_in_again(fake: tuple[_FakeVault, str]) -> None:
    vault, address = fake
    kv = _approle(address)
    try:
        with pytest.raises(InfraAuthenticationError) as raised:
            await kv.read("secret", "denied", 2, uuid.uuid4())
    finally:
        kv.close()
    assert vault.logins == 1
    assert vault.lookups == 1
    assert raised.value.context.target_name == f"{address}/secret/denied"


async def test_bad_token_is_an_authentication_error(fake: tuple[_FakeVault, str]) -> None:
    _, address = fake
    kv = _token(address, "wrong-token")
    try:
        with pytest.raises(InfraAuthenticationError):
            await kv.read("secret", "p", 2, uuid.uuid4())
    finally:
        kv.close()


async def test_calls_run_off_the_event_loop(fake: tuple[_FakeVault, str]) -> None:
    vault, address = fake
    kv = _token(address)
    try:
        reading = asyncio.ensure_future(kv.read("secret", "blocking", 2, uuid.uuid4()))
        # the request is parked in the fake server; only a free event loop can get here and release it
        await asyncio.to_thread(vault.arrived.wait, 10)
        assert not reading.done()
        vault.release.set()
        assert await reading is not None
    finally:
        kv.close()


async def test_concurrency_is_bounded(fake: tuple[_FakeVault, str]) -> None:
    vault, address = fake
    kv = _token(address)
    try:
        kv_bounded = VaultKv(kv.config, max_concurrency=3)
        await asyncio.gather(*(kv_bounded.read("secret", "slow", 2, uuid.uuid4()) for _ in range(24)))
        kv_bounded.close()
    finally:
        kv.close()
    assert 1 <= vault.max_in_flight <= 3


async def test_contract_timeout(fake: tuple[_FakeVault, str], monkeypatch: pytest.MonkeyPatch) -> None:
    _, address = fake
    monkeypatch.setattr(client_module, "operation_timeout", lambda node, operation: 0.2)
    kv = _token(address)
    try:
        with pytest.raises(InfraTimeoutError) as raised:
            await kv.read("secret", "very-slow", 2, uuid.uuid4())
    finally:
        kv.close()
    assert raised.value.context.operation == "read_secret"


async def test_refused_port_is_a_connection_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    kv = _token(f"http://127.0.0.1:{port}")
    try:
        with pytest.raises(InfraConnectionError):
            await kv.read("secret", "p", 2, uuid.uuid4())
        with pytest.raises(InfraConnectionError):
            await kv.seal_status(uuid.uuid4())
    finally:
        kv.close()


async def test_wrong_kv_version_is_refused_before_any_kv_call(fake: tuple[_FakeVault, str]) -> None:
    _, address = fake
    kv = _token(address)
    try:
        with pytest.raises(ProtocolConfigurationError, match="version 2, the spec asks for kvVersion 1"):
            await kv.write("secret", "p", {"a": "never-written-value-4b1e"}, 1, uuid.uuid4())
    finally:
        kv.close()
