"""Prometheus metrics of one operator process, kept in a registry of its own.

Label values are bounded: kinds, results, error class names, transports and operation names. Resource
names and messages never become labels (they would grow the series without bound and may carry
secrets), so every label value must look like a short identifier.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

RESULTS = frozenset({"success", "error", "conflict", "dependency_not_ready", "observed"})
READY_STATES = ("True", "False", "Unknown")
# Reconciles range from a cached no-op to a slow batched admin call behind a retrying broker.
DURATION_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

_LABEL_VALUE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")


def _bounded(value: str) -> str:
    if not _LABEL_VALUE.fullmatch(value):
        raise ValueError(f"not a bounded label value: {value[:64]!r}")
    return value


class OperatorMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._reconciles = Counter(
            "onex_reconciles",
            "Reconciles by kind and result.",
            ["kind", "result"],
            registry=self.registry,
        )
        self._duration = Histogram(
            "onex_reconcile_duration_seconds",
            "Duration of one reconcile.",
            ["kind"],
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )
        self._errors = Counter(
            "onex_errors",
            "Reconcile errors by kind and error class.",
            ["kind", "error_class"],
            registry=self.registry,
        )
        self._managed = Gauge(
            "onex_managed_resources",
            "Managed resources by kind and Ready condition status.",
            ["kind", "ready"],
            registry=self.registry,
        )
        self._admin_requests = Counter(
            "onex_admin_requests",
            "Requests sent to infrastructure services by transport and operation.",
            ["transport", "operation"],
            registry=self.registry,
        )
        self._consul_checks = Gauge(
            "onex_consul_checks",
            "Health checks of the operator's Consul registrations by state, at the last drift read.",
            ["status"],
            registry=self.registry,
        )
        self._consul_checks_by_agent: dict[str, dict[str, int]] = {}
        self._drift_corrections = Counter(
            "onex_drift_corrections",
            "Out-of-band changes corrected by kind.",
            ["kind"],
            registry=self.registry,
        )

    def observe_reconcile(self, kind: str, result: str, seconds: float) -> None:
        if result not in RESULTS:
            raise ValueError(f"unknown reconcile result: {result[:64]!r}")
        self._reconciles.labels(kind=_bounded(kind), result=result).inc()
        self._duration.labels(kind=kind).observe(seconds)

    def count_error(self, kind: str, error_class: str) -> None:
        self._errors.labels(kind=_bounded(kind), error_class=_bounded(error_class)).inc()

    def set_managed(self, kind: str, counts: dict[str, int]) -> None:
        unknown = set(counts) - set(READY_STATES)
        if unknown:
            raise ValueError(f"unknown Ready states: {sorted(unknown)}")
        # Every state is set, absent ones to zero, so a kind's series never go stale.
        for state in READY_STATES:
            self._managed.labels(kind=_bounded(kind), ready=state).set(counts.get(state, 0))

    def count_admin_request(self, transport: str, operation: str) -> None:
        self._admin_requests.labels(transport=_bounded(transport), operation=_bounded(operation)).inc()

    def count_drift_correction(self, kind: str) -> None:
        self._drift_corrections.labels(kind=_bounded(kind)).inc()

    def set_consul_checks(self, agent: str, counts: Mapping[str, int]) -> None:
        """The check states one agent reported for the operator's registrations; the gauge sums the
        agents (an agent's address is never a label)."""
        self._consul_checks_by_agent[agent] = {_bounded(status): count for status, count in counts.items()}
        totals: dict[str, int] = {}
        for by_status in self._consul_checks_by_agent.values():
            for status, count in by_status.items():
                totals[status] = totals.get(status, 0) + count
        for status, count in totals.items():
            self._consul_checks.labels(status=status).set(count)

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_PLAIN_0_0_4
