"""A pass-through HTTP proxy in front of the kube-apiserver (or OpenBao) that counts one client's
requests.

The apiserver's own `apiserver_request_total` has no user or user-agent label, and on a shared
test-bed other clients move its totals. Giving the operator a kubeconfig that points here (plain
HTTP on loopback; the proxy speaks TLS to the apiserver) attributes every request exactly: each
request line is counted as `VERB resource[/subresource]` and its bytes are forwarded unchanged.

The apiserver's own counters (all clients together) are read here too, as a cross-check.

OpenBao's dev server has no per-request metric to rely on either, so the same proxy sits in front
of it (plain HTTP both ways) with `vault_request_label` naming each request; and in front of
Consul's HTTP port with `consul_request_label`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ssl
import threading
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import yaml
from prometheus_client.parser import text_string_to_metric_families

from _bench_kube import as_dict

_NAMED_COLLECTION_DEPTH = 2  # ["namespaces", "<name>"] before the resource in a namespaced path


def request_label(method: str, target: str) -> str:
    """`LIST kafkatopics`, `PATCH kafkatopics/status`, `WATCH kafkatopics`, `GET /version` ..."""
    parts = urlsplit(target)
    segments = [segment for segment in parts.path.split("/") if segment]
    if segments[:1] == ["api"]:
        rest = segments[2:]
    elif segments[:1] == ["apis"]:
        rest = segments[3:]
    else:
        return f"{method} {parts.path}"
    if rest[:1] == ["namespaces"] and len(rest) > _NAMED_COLLECTION_DEPTH:
        rest = rest[_NAMED_COLLECTION_DEPTH:]
    if not rest:
        return f"{method} {parts.path}"
    resource, name, subresource = rest[0], rest[1:2], rest[2:3]
    watching = parse_qs(parts.query).get("watch", [""])[0] in {"true", "1"}
    verb = method
    if method == "GET" and not name:
        verb = "WATCH" if watching else "LIST"
    return f"{verb} {resource}{'/' + subresource[0] if subresource else ''}"


_VAULT_KV_SECTIONS = {"data", "metadata", "delete", "undelete", "destroy", "subkeys", "config"}


def vault_request_label(method: str, target: str) -> str:
    """`GET secret/data`, `POST secret/metadata`, `GET sys/mounts`, `GET auth/token/lookup-self` ...:
    a KV request by mount and section (never by the secret's path), any other by its API path."""
    segments = [segment for segment in urlsplit(target).path.split("/") if segment][1:]  # after v1
    if segments[:1] in (["sys"], ["auth"]):
        return f"{method} {'/'.join(segments[:3])}"
    if len(segments) >= 2 and segments[1] in _VAULT_KV_SECTIONS:  # a mount, then its section
        return f"{method} {segments[0]}/{segments[1]}"
    return f"{method} {segments[0] if segments else '/'}"


def consul_request_label(method: str, target: str) -> str:
    """`GET agent/services`, `GET agent/checks`, `PUT agent/service/register`,
    `PUT agent/service/deregister` ...: a request by its API path, never by a service id."""
    segments = [segment for segment in urlsplit(target).path.split("/") if segment][1:]  # after v1
    named = 3 if segments[:2] in (["agent", "service"], ["agent", "check"]) else 2
    return f"{method} {'/'.join(segments[:named]) or '/'}"


class CountingProxy:
    """Runs its own event loop in a thread; `counts()` may be read from any thread.

    `tls`: how to reach the upstream (None: plain HTTP); `label`: the name a request is counted by.
    """

    def __init__(
        self,
        upstream_host: str,
        upstream_port: int,
        tls: ssl.SSLContext | None,
        label: Callable[[str, str], str] = request_label,
    ) -> None:
        self._upstream = (upstream_host, upstream_port)
        self._tls = tls
        self._label = label
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="api-proxy", daemon=True)

    def start(self) -> int:
        """Listen on a free loopback port; returns the port."""
        self._thread.start()
        started = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._serve, "127.0.0.1", 0), self._loop
        )
        self._server = started.result(timeout=10)
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    def counts(self) -> Counter[str]:
        with self._lock:
            return Counter(self._counts)

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        if self._server is not None:
            self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host, port = self._upstream
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(
                host, port, ssl=self._tls, server_hostname=host if self._tls is not None else None
            )
        except OSError:
            writer.close()
            return
        answers = asyncio.create_task(_pump(upstream_reader, writer))
        try:
            await self._forward_requests(reader, upstream_writer)
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            upstream_writer.close()
            with contextlib.suppress(OSError, asyncio.CancelledError):
                await answers
            writer.close()

    async def _forward_requests(self, reader: asyncio.StreamReader, upstream: asyncio.StreamWriter) -> None:
        while True:
            request_line = await reader.readline()
            if not request_line:
                return
            head = await _read_head(reader)
            method, target = _method_and_target(request_line)
            with self._lock:
                self._counts[self._label(method, target)] += 1
            upstream.write(request_line + head)
            await _copy_body(reader, upstream, head)
            await upstream.drain()


async def _pump(source: asyncio.StreamReader, target: asyncio.StreamWriter) -> None:
    try:
        while chunk := await source.read(65536):
            target.write(chunk)
            await target.drain()
    except OSError:
        pass
    finally:
        target.close()


async def _read_head(reader: asyncio.StreamReader) -> bytes:
    lines: list[bytes] = []
    while True:
        line = await reader.readline()
        lines.append(line)
        if line in {b"\r\n", b"\n", b""}:
            return b"".join(lines)


def _method_and_target(request_line: bytes) -> tuple[str, str]:
    words = request_line.decode("latin-1").split()
    return (words[0], words[1]) if len(words) >= 2 else ("?", "/")


def _header(head: bytes, name: str) -> str | None:
    wanted = name.lower().encode()
    for line in head.split(b"\r\n"):
        key, _, value = line.partition(b":")
        if key.strip().lower() == wanted:
            return value.strip().decode("latin-1")
    return None


async def _copy_body(reader: asyncio.StreamReader, upstream: asyncio.StreamWriter, head: bytes) -> None:
    if (_header(head, "transfer-encoding") or "").lower() == "chunked":
        while True:
            size_line = await reader.readline()
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            upstream.write(size_line + await reader.readexactly(size + 2))
            if size == 0:
                return
    length = int(_header(head, "content-length") or "0")
    if length:
        upstream.write(await reader.readexactly(length))


@dataclass(frozen=True)
class KubeconfigAccess:
    """What the proxy needs from a kubeconfig: the apiserver address, its CA and the token."""

    host: str
    port: int
    tls: ssl.SSLContext
    token: str


def kubeconfig_access(kubeconfig: Path) -> KubeconfigAccess:
    """From a kubeconfig like the test-bed's: one cluster with its CA data, a bearer token."""
    document = as_dict(yaml.safe_load(kubeconfig.read_text()))
    cluster = as_dict(as_dict(_first(document.get("clusters"))).get("cluster"))
    user = as_dict(as_dict(_first(document.get("users"))).get("user"))
    server = urlsplit(str(cluster.get("server", "")))
    ca_data = str(cluster.get("certificate-authority-data", ""))
    tls = ssl.create_default_context(cadata=base64.b64decode(ca_data).decode())
    return KubeconfigAccess(
        host=server.hostname or "127.0.0.1",
        port=server.port or 443,
        tls=tls,
        token=str(user.get("token", "")),
    )


def write_proxy_kubeconfig(path: Path, proxy_port: int, token: str) -> None:
    """A kubeconfig that sends a client through the counting proxy (plain HTTP on loopback)."""
    document = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "proxy", "cluster": {"server": f"http://127.0.0.1:{proxy_port}"}}],
        "users": [{"name": "proxy", "user": {"token": token}}],
        "contexts": [{"name": "proxy", "context": {"cluster": "proxy", "user": "proxy"}}],
        "current-context": "proxy",
    }
    path.touch(mode=0o600)
    path.write_text(yaml.safe_dump(document))


def _first(value: object) -> object:
    return value[0] if isinstance(value, list) and value else None


def apiserver_requests(access: KubeconfigAccess) -> Counter[str]:
    """The apiserver's own `apiserver_request_total`, all clients, summed by `VERB resource`."""
    request = urllib.request.Request(
        f"https://{access.host}:{access.port}/metrics", headers={"Authorization": f"Bearer {access.token}"}
    )
    with urllib.request.urlopen(request, timeout=30, context=access.tls) as response:
        text = response.read().decode()
    lines = [line for line in text.splitlines() if line.startswith("apiserver_request_total{")]
    totals: Counter[str] = Counter()
    for family in text_string_to_metric_families("\n".join(lines) + "\n"):
        for sample in family.samples:
            labels = sample.labels
            resource = labels.get("resource") or labels.get("subresource", "")
            if labels.get("resource") and labels.get("subresource"):
                resource = f"{resource}/{labels['subresource']}"
            totals[f"{labels.get('verb', '?')} {resource}"] += int(sample.value)
    return totals
