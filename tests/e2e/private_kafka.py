"""Kafka for e2e tests: a private one-node broker for tests that stop and restart Kafka, and
clean-up of the topics a test leaves on the shared broker.

The shared test-bed broker is used by everyone running tests at the same time, so a test that needs
Kafka to go away starts its own: the test-bed's `KafkaComponent` with its own ports and run
directory, and the test-bed's cache (the jars are reused, nothing is downloaded again). The broker
keeps its data directory across `stop()` and `start()`, so topics survive a restart as they would
on a real cluster.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from confluent_kafka.admin import AdminClient

from onex_operator.testbed.components.base import TestbedContext
from onex_operator.testbed.components.kafka import KafkaComponent
from onex_operator.testbed.credentials import generate_credentials
from onex_operator.testbed.errors import TestbedError
from onex_operator.testbed.http_probe import ProbeFailedError
from onex_operator.testbed.processes import ModelProcessRecord, is_running, log_tail, spawn, stop
from onex_operator.testbed.progress import Progress
from onex_operator.testbed.settings import ModelTestbedSettings, load_settings
from tests.conftest import RunningTestbed
from tests.e2e.conftest import free_port

START_TIMEOUT_SECONDS = 120.0
FORMAT_ATTEMPTS = 5


class KafkaProxy:
    """A TCP proxy in front of a broker's PLAINTEXT listener that can swallow the response to a
    kind of request: the broker does the work, the client never hears of it (a lost response, as a
    network partition or a client timeout produces)."""

    def __init__(self, listen_port: int, upstream_port: int) -> None:
        self._upstream_port = upstream_port
        self._server = socket.create_server(("127.0.0.1", listen_port))
        self._lock = threading.Lock()
        self._swallow: dict[int, int] = {}  # api key -> how many responses still to swallow
        self._sockets: list[socket.socket] = []
        self.swallowed: list[int] = []  # api keys whose responses were swallowed
        threading.Thread(target=self._accept, name="kafka-proxy", daemon=True).start()

    def swallow(self, api_key: int, times: int = 1) -> None:
        with self._lock:
            self._swallow[api_key] = times

    def close(self) -> None:
        self._server.close()
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return  # closed
            try:
                upstream = socket.create_connection(("127.0.0.1", self._upstream_port), timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets += [client, upstream]
            held: set[int] = set()  # correlation ids whose responses this connection swallows
            threading.Thread(target=self._requests, args=(client, upstream, held), daemon=True).start()
            threading.Thread(target=self._responses, args=(upstream, client, held), daemon=True).start()

    def _requests(self, source: socket.socket, sink: socket.socket, held: set[int]) -> None:
        for frame in _frames(source, sink):
            api_key, _, correlation_id = struct.unpack(">hhi", frame[4:12])
            with self._lock:
                if self._swallow.get(api_key, 0) > 0:
                    self._swallow[api_key] -= 1
                    held.add(correlation_id)  # before the request goes out, so before its response
                    self.swallowed.append(api_key)
            sink.sendall(frame)

    def _responses(self, source: socket.socket, sink: socket.socket, held: set[int]) -> None:
        for frame in _frames(source, sink):
            (correlation_id,) = struct.unpack(">i", frame[4:8])
            if correlation_id in held:
                held.discard(correlation_id)
                continue
            sink.sendall(frame)


def _frames(source: socket.socket, sink: socket.socket) -> Iterator[bytes]:
    """Kafka's size-prefixed frames from `source` until either side closes; then both are closed."""
    try:
        while (header := _read(source, 4)) is not None:
            (size,) = struct.unpack(">i", header)
            body = _read(source, size)
            if body is None:
                break
            yield header + body
    except OSError:
        pass
    finally:
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def _read(sock: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


class PrivateKafka:
    """One KRaft broker on free loopback ports, started and stopped by the test that owns it.
    With `proxied`, clients reach its PLAINTEXT listener through a `KafkaProxy` (`self.proxy`)."""

    def __init__(self, testbed: RunningTestbed, run_dir: Path, proxied: bool = False) -> None:
        ports = {"KAFKA_PLAINTEXT": free_port(), "KAFKA_SASL": free_port(), "KAFKA_CONTROLLER": free_port()}
        environ = {
            "ONEX_TESTBED_CACHE": str(testbed.settings.cache_dir),
            "ONEX_TESTBED_RUN_DIR": str(run_dir),
            **{f"ONEX_TESTBED_PORT_{name}": str(port) for name, port in ports.items()},
        }
        self.settings: ModelTestbedSettings = load_settings(environ)
        context = TestbedContext(
            settings=self.settings, credentials=generate_credentials(), progress=Progress()
        )
        self._component = KafkaComponent(context)
        self._record: ModelProcessRecord | None = None
        self.log_path = self.settings.logs_dir / "kafka.log"
        self.proxy: KafkaProxy | None = None
        self._upstream_port: int | None = free_port() if proxied else None

    @property
    def bootstrap(self) -> str:
        """The PLAINTEXT listener, host:port."""
        return f"127.0.0.1:{self.settings.ports.kafka_plaintext}"

    def connection_spec(self) -> dict[str, object]:
        """An InfraConnection spec that reaches this broker without credentials."""
        return {"kafka": {"bootstrapServers": [self.bootstrap], "securityProtocol": "PLAINTEXT"}}

    def admin(self) -> AdminClient:
        return AdminClient({"bootstrap.servers": self.bootstrap, "log_level": 0})

    def start(self) -> None:
        """Start the broker (formatting its storage the first time) and wait until it answers."""
        if self._record is not None and is_running(self._record):
            return
        self._prepare()
        self._record = spawn(
            "private-kafka", self._component.launch(), self._component.ports(), self.log_path
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        last = "no probe yet"
        while time.monotonic() < deadline:
            if not is_running(self._record):
                raise RuntimeError(f"the private Kafka exited:\n{log_tail(self.log_path, 40)}")
            try:
                self._component.probe()
                return
            except ProbeFailedError as error:
                last = str(error)
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"the private Kafka never answered ({last}):\n{log_tail(self.log_path, 40)}")

    def _prepare(self) -> None:
        # KafkaComponent draws a random urlsafe-base64 cluster id; one that starts with "-" is taken
        # for an option by kafka-storage (about 1 in 64). A new attempt draws a new id.
        for attempt in range(FORMAT_ATTEMPTS):
            try:
                self._component.prepare()
                break
            except TestbedError as error:
                if "--cluster-id" not in str(error) or attempt == FORMAT_ATTEMPTS - 1:
                    raise
        if self._upstream_port is not None:
            # the broker listens behind the proxy and still advertises the proxy's port
            config = self.settings.run_dir / "kafka" / "server.properties"
            advertised = f"PLAINTEXT://{self.bootstrap}"
            lines = [
                line.replace(advertised, f"PLAINTEXT://127.0.0.1:{self._upstream_port}", 1)
                if line.startswith("listeners=")
                else line
                for line in config.read_text().splitlines()
            ]
            config.write_text("\n".join(lines) + "\n")
            if self.proxy is None:
                self.proxy = KafkaProxy(self.settings.ports.kafka_plaintext, self._upstream_port)

    def stop(self) -> None:
        """Stop the broker's process group (SIGTERM, then SIGKILL) and wait until it is gone."""
        if self._record is not None:
            stop(self._record)

    def close(self) -> None:
        """Stop the broker and its proxy."""
        self.stop()
        if self.proxy is not None:
            self.proxy.close()

    @property
    def running(self) -> bool:
        return self._record is not None and is_running(self._record)


@contextmanager
def private_kafka(testbed: RunningTestbed, run_dir: Path, proxied: bool = False) -> Iterator[PrivateKafka]:
    """A started private broker, always stopped (with its proxy) on the way out."""
    broker = PrivateKafka(testbed, run_dir, proxied)
    try:
        broker.start()
        yield broker
    finally:
        broker.close()


def shared_admin(testbed: RunningTestbed) -> AdminClient:
    """The shared test-bed broker through its PLAINTEXT listener (for checks and clean-up)."""
    return AdminClient({"bootstrap.servers": testbed.env["ONEX_KAFKA_BOOTSTRAP"], "log_level": 0})


def remove_topics(admin: AdminClient, names: list[str]) -> None:
    """Delete those of `names` that exist; a test's own topics only."""
    existing = [name for name in names if name in admin.list_topics(timeout=10).topics]
    if existing:
        for future in admin.delete_topics(existing, operation_timeout=30).values():
            future.result(60)
