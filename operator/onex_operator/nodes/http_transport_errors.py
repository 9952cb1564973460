"""Transport failures of a `requests`-based client (hvac, py-consul) -> the taxonomy, as rules:
(exception type, taxonomy class, message with {operation} and {said}). The first rule whose type
matches wins, so the order matters: a ConnectTimeout is a Timeout too, and means unreachable."""

from __future__ import annotations

import requests

from onex_operator.errors import InfraConnectionError, InfraTimeoutError, RuntimeHostError

ErrorRule = tuple[type[BaseException], type[RuntimeHostError], str]


def transport_rules(service: str, peer: str) -> list[ErrorRule]:
    """`service` names the product in messages ("Vault"), `peer` what is reached ("server")."""
    timeout = f"{service} {{operation}} exceeded its contract timeout"
    failed = f"{service} {{operation}} failed"
    return [
        (
            requests.exceptions.ConnectTimeout,
            InfraConnectionError,
            f"{failed}, no connection to the {peer} within the contract timeout (unreachable){{said}}",
        ),
        (requests.exceptions.Timeout, InfraTimeoutError, timeout),
        (TimeoutError, InfraTimeoutError, timeout),
        (requests.exceptions.SSLError, InfraConnectionError, f"{failed} in the TLS handshake{{said}}"),
        (
            requests.exceptions.ConnectionError,
            InfraConnectionError,
            f"{failed}, cannot connect to the {peer}{{said}}",
        ),
        (requests.exceptions.RequestException, InfraConnectionError, f"{failed}{{said}}"),
        (OSError, InfraConnectionError, f"{failed}{{said}}"),
    ]
