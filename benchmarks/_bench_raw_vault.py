"""The VaultSecret benchmark's baseline: the same KV v2 writes by a plain hvac script (one client,
a thread pool), and the clean-up of every secret under a path, which both sides need."""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import hvac
import requests
from hvac.exceptions import InvalidPath

_ALPHANUMERIC = string.ascii_letters + string.digits


def vault_client(address: str, token: str, pool_size: int) -> hvac.Client:
    """An hvac client whose connection pool admits `pool_size` concurrent requests."""
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=pool_size)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return hvac.Client(url=address, token=token, session=session)


def generated_value(length: int) -> str:
    return "".join(secrets.choice(_ALPHANUMERIC) for _ in range(length))


def write_raw_secrets(
    client: hvac.Client, mount: str, paths: list[str], *, threads: int, generate_length: int
) -> None:
    """One KV v2 write per path (a literal key and a freshly generated one), `threads` in flight."""

    def write(path: str) -> None:
        client.secrets.kv.v2.create_or_update_secret(
            path=path,
            secret={
                "username": f"user-{path.rsplit('/', 1)[-1]}",
                "password": generated_value(generate_length),
            },
            mount_point=mount,
        )

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="raw-write") as pool:
        for done in pool.map(write, paths):
            del done  # every result is waited for; an error is raised here


def _list(client: hvac.Client, mount: str, prefix: str) -> list[str]:
    try:
        answer = client.secrets.kv.v2.list_secrets(path=prefix, mount_point=mount)
    except InvalidPath:
        return []
    keys = answer.get("data", {}).get("keys", [])
    return [str(key) for key in keys] if isinstance(keys, list) else []


def secret_paths(client: hvac.Client, mount: str, prefix: str) -> list[str]:
    """Every secret below `prefix` (KV v2), depth first."""
    found: list[str] = []
    for key in _list(client, mount, prefix):
        child = f"{prefix.rstrip('/')}/{key.rstrip('/')}"
        found += secret_paths(client, mount, child) if key.endswith("/") else [child]
    return found


def delete_tree(
    client: hvac.Client, mount: str, prefix: str, threads: int, say: Callable[[str], None]
) -> None:
    """Delete every secret below `prefix` with its metadata and all its versions."""
    paths = secret_paths(client, mount, prefix)

    def delete(path: str) -> None:
        client.secrets.kv.v2.delete_metadata_and_all_versions(path=path, mount_point=mount)

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="raw-delete") as pool:
        for done in pool.map(delete, paths):
            del done
    say(f"{len(paths)} secrets under {mount}/{prefix} deleted from OpenBao")
