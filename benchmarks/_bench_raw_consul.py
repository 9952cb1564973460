"""The ConsulService benchmark's baseline: the same agent registrations by a plain py-consul script
(one client, a thread pool), and the clean-up of every service under an id prefix, which both sides
need."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import consul
import requests


def consul_client(address: str, token: str, pool_size: int) -> consul.Consul:
    """A py-consul client as `token` whose connection pool admits `pool_size` concurrent requests."""
    parts = urlsplit(address)
    client = consul.Consul(
        host=parts.hostname or "127.0.0.1", port=parts.port or 8500, scheme=parts.scheme or "http"
    )
    client.token = token  # py-consul would prefer CONSUL_HTTP_TOKEN from the environment
    session = client.http.session
    if isinstance(session, requests.Session):
        adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=pool_size)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
    return client


def _in_threads(call: Callable[[str], object], items: list[str], threads: int, name: str) -> None:
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name) as pool:
        for done in pool.map(call, items):
            del done  # every result is waited for; an error is raised here


def register_raw_services(client: consul.Consul, service_ids: list[str], *, threads: int, ttl: str) -> None:
    """One agent registration per id (the same service, address and TTL check as a ConsulService),
    `threads` in flight."""

    def register(service_id: str) -> object:
        check = {"CheckID": f"{service_id}:alive", "Name": "alive", "TTL": ttl}
        return client.agent.service.register(
            "bench-consul", service_id=service_id, address="127.0.0.1", port=8080, check=check
        )

    _in_threads(register, service_ids, threads, "raw-register")


def deregister_prefix(client: consul.Consul, prefix: str, threads: int, say: Callable[[str], None]) -> None:
    """Deregister every service of the agent whose id starts with `prefix` (and its checks)."""
    services = client.agent.services()
    found = [
        str(key) for key in (services if isinstance(services, dict) else {}) if str(key).startswith(prefix)
    ]
    _in_threads(client.agent.service.deregister, found, threads, "raw-deregister")
    say(f"{len(found)} services {prefix}* deregistered from Consul")
