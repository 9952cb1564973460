"""Small HTTP helpers for readiness probes (standard library only, so probes run before any client)."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import urllib.error
import urllib.request


class ProbeFailedError(Exception):
    """A component did not answer its readiness probe (yet)."""


def port_open(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def get_text(
    url: str,
    headers: dict[str, str] | None = None,
    timeout: float = 2.0,
    context: ssl.SSLContext | None = None,
) -> str:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - loopback http(s) only
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:  # noqa: S310
            body: bytes = response.read()
            return body.decode()
    except urllib.error.HTTPError as error:
        raise ProbeFailedError(f"{url} answered HTTP {error.code}") from error
    except (urllib.error.URLError, OSError) as error:
        raise ProbeFailedError(f"{url} unreachable: {error}") from error
    except http.client.HTTPException as error:
        # a server still starting (or restarting) can close the connection mid-answer
        raise ProbeFailedError(f"{url} broke off its answer: {error!r}") from error


def get_json(
    url: str,
    headers: dict[str, str] | None = None,
    timeout: float = 2.0,
    context: ssl.SSLContext | None = None,
) -> dict[str, object]:
    text = get_text(url, headers=headers, timeout=timeout, context=context)
    try:
        parsed: object = json.loads(text)
    except json.JSONDecodeError as error:
        raise ProbeFailedError(f"{url} answered something that is not JSON") from error
    if not isinstance(parsed, dict):
        raise ProbeFailedError(f"{url} answered JSON that is not an object")
    return parsed


def insecure_context() -> ssl.SSLContext:
    """For a component whose self-signed serving certificate nothing can verify (its health port)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context
