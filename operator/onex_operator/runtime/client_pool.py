"""One client per connection, replaced (and the old one closed) when the connection's settings or
credentials change: a rotated password stops the old client logging in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

ConfigT = TypeVar("ConfigT")
ClientT = TypeVar("ClientT")


class ClientPool(Generic[ConfigT, ClientT]):
    def __init__(
        self, make: Callable[[ConfigT], ClientT], close: Callable[[ClientT], None] = lambda _: None
    ) -> None:
        self._make = make
        self._close = close
        self._clients: dict[str, tuple[ConfigT, ClientT]] = {}

    def get(self, connection: str, config: ConfigT) -> ClientT:
        entry = self._clients.get(connection)
        if entry is None or entry[0] != config:
            if entry is not None:
                self._close(entry[1])
            entry = (config, self._make(config))
            self._clients[connection] = entry
        return entry[1]
