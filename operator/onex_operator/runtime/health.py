"""What the process knows about its own health: readiness, its nodes and the services it reaches.

Adapters may report from worker threads (blocking clients run there), so updates take a lock.
Free text is sanitized on the way in, so no snapshot can carry a secret out.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from onex_operator.errors import sanitize
from onex_operator.runtime.model_node_health import ModelNodeHealth
from onex_operator.runtime.model_service_health import ModelServiceHealth


class HealthRegistry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._nodes: dict[str, ModelNodeHealth] = {}
        self._services: dict[tuple[str, str], ModelServiceHealth] = {}
        # One tuple, replaced whole, so a reader never pairs one state with another's reason.
        self._readiness = (False, "starting")

    def set_node(
        self, name: str, node_type: str, contract_version: str, healthy: bool, detail: str = ""
    ) -> None:
        node = ModelNodeHealth(
            name=name,
            node_type=node_type,
            contract_version=contract_version,
            healthy=healthy,
            detail=sanitize(detail),
        )
        with self._lock:
            self._nodes[name] = node

    def set_service(
        self, connection: str, transport: str, reachable: bool, error_class: str | None, detail: str = ""
    ) -> None:
        service = ModelServiceHealth(
            connection=connection,
            transport=transport,
            reachable=reachable,
            last_error_class=error_class,
            detail=sanitize(detail),
            last_checked=datetime.now(UTC),
        )
        with self._lock:
            self._services[(connection, transport)] = service

    def set_ready(self, ready: bool, reason: str = "") -> None:
        self._readiness = (ready, sanitize(reason))

    def snapshot_nodes(self) -> list[ModelNodeHealth]:
        with self._lock:
            return [self._nodes[name] for name in sorted(self._nodes)]

    def snapshot_services(self) -> list[ModelServiceHealth]:
        with self._lock:
            return [self._services[key] for key in sorted(self._services)]

    @property
    def ready(self) -> bool:
        return self._readiness[0]

    @property
    def readiness(self) -> tuple[bool, str]:
        """Whether the process is ready, and why not when it is not."""
        return self._readiness
