"""The benchmarks' figures and how they are printed: one table of figures against the issue's
targets, then the details behind them (per-run values, breakdowns, method, machine). The words and
targets of a kind's table are its `ReportTerms` (KafkaTopic's by default)."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

Row = tuple[str, str, str]


@dataclass(frozen=True)
class ReportTerms:
    """What one benchmark calls things, and the issue's targets for its figures."""

    kind: str = "KafkaTopic"
    objects: str = "topics"
    raw: str = "raw AdminClient"
    service: str = "Kafka admin"
    ready_target: str = "< 30"
    ratio_target: str = "< 5x"
    requests_target: str = "batched, << {count}"
    idle_requests_target: str = "one batched sweep"
    memory_target: str = "< 150"


KAFKA_TERMS = ReportTerms()


@dataclass
class RunFigures:
    apply_seconds: float
    ready_seconds: float | None  # None: not all Ready within the timeout
    ready_count: int
    raw_seconds: float
    admin_requests: Counter[str]  # by operation
    reconciles: Counter[str]  # by result
    cpu_seconds: dict[str, float]  # by process, from the first create until all Ready
    operator_requests: Counter[str] | None  # apiserver requests, when counted (--count-requests)


@dataclass
class IdleFigures:
    resume_seconds: float | None  # restart until every resource's resume reconcile; None: never
    resume_requests: Counter[str]  # the operator's apiserver requests from start to resumed
    window_seconds: float
    reconciles: Counter[str]
    admin_requests: Counter[str]
    drift_corrections: int
    operator_requests: Counter[str]
    apiserver_all_clients: int
    rss_mib: float
    # requests counted by a proxy in front of the service, when there is one (OpenBao)
    service_requests: Counter[str] | None = None
    resume_service_requests: Counter[str] | None = None  # the same proxy, from start to resumed


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    details: list[str] = field(default_factory=list)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _seconds(values: list[float | None]) -> str:
    return ", ".join("timeout" if value is None else f"{value:.2f}" for value in values)


def _counts(counts: Counter[str]) -> str:
    shown = [f"{name} {value}" for name, value in sorted(counts.items()) if value]
    return "; ".join(shown) if shown else "none"


def _cpu(runs: list[RunFigures]) -> str:
    names = list(runs[0].cpu_seconds)
    return ", ".join(f"{name} {median([r.cpu_seconds[name] for r in runs]):.1f}" for name in names)


def readiness_report(
    runs: list[RunFigures], count: int, memory_mib: float, terms: ReportTerms = KAFKA_TERMS
) -> Report:
    ready = [run.ready_seconds for run in runs]
    complete = [value for value in ready if value is not None]
    raw = median([run.raw_seconds for run in runs])
    ready_median = median(complete) if len(complete) == len(ready) else float("nan")
    admin = median([sum(run.admin_requests.values()) for run in runs])
    report = Report()
    apply = median([r.apply_seconds for r in runs])
    report.rows = [
        (f"apply {count} {terms.kind} resources (s)", f"{apply:.2f}", "-"),
        (f"all {count} Ready (s)", f"{ready_median:.2f}", terms.ready_target),
        (f"{terms.raw}, {count} {terms.objects} (s)", f"{raw:.2f}", "-"),
        ("ratio operator / raw", f"{ready_median / raw:.1f}x", terms.ratio_target),
        ("Ready in the slowest run", f"{min(r.ready_count for r in runs)}/{count}", f"{count}/{count}"),
        (f"{terms.service} requests per run", f"{admin:.0f}", terms.requests_target.format(count=count)),
        ("reconciles per run", f"{median([sum(r.reconciles.values()) for r in runs]):.0f}", f"{count}"),
        (f"operator RSS, {count} resources (MB)", f"{memory_mib:.0f}", terms.memory_target),
    ]
    for number, run in enumerate(runs, start=1):
        report.details.append(
            f"run {number}: apply {run.apply_seconds:.2f}s, all Ready {_seconds([run.ready_seconds])}s, "
            f"raw {run.raw_seconds:.2f}s; {terms.service} requests: {_counts(run.admin_requests)}; "
            f"reconciles: {_counts(run.reconciles)}"
        )
    report.details.append(f"CPU seconds from the first create to all Ready (median of runs): {_cpu(runs)}")
    counted = [run.operator_requests for run in runs if run.operator_requests is not None]
    if counted:
        per_object = sum(counted[-1].values()) / count
        report.rows.append(
            (f"apiserver requests by the operator per {terms.objects[:-1]}", f"{per_object:.1f}", "-")
        )
        report.details.append(f"apiserver requests by the operator, last run: {_counts(counted[-1])}")
    return report


def idle_report(idle: IdleFigures, count: int, drift: str, terms: ReportTerms = KAFKA_TERMS) -> Report:
    resume = "never" if idle.resume_seconds is None else f"{idle.resume_seconds:.1f}"
    report = Report()
    report.rows = [
        (f"restart: {count} resume reconciles done (s)", resume, "-"),
        (f"idle window: one drift interval ({drift}), sweep to sweep (s)", f"{idle.window_seconds:.1f}", "-"),
        ("  drift checks (reconciles) in the window", f"{sum(idle.reconciles.values())}", f"~{count}"),
        (
            f"  {terms.service} requests in the window",
            f"{sum(idle.admin_requests.values())}",
            terms.idle_requests_target.format(count=count),
        ),
        (
            "  apiserver requests by the operator",
            f"{sum(idle.operator_requests.values())}",
            f"not per {terms.objects[:-1]}",
        ),
        ("  drift corrections", str(idle.drift_corrections), "0"),
        ("  operator RSS after the window (MB)", f"{idle.rss_mib:.0f}", terms.memory_target),
    ]
    if idle.service_requests is not None:
        report.rows.insert(
            4,
            (
                f"  {terms.service} requests in the window (proxy)",
                f"{sum(idle.service_requests.values())}",
                terms.idle_requests_target.format(count=count),
            ),
        )
        report.details.append(
            f"idle window: {terms.service} requests counted by the proxy {_counts(idle.service_requests)}"
        )
    if idle.resume_service_requests is not None:
        report.details.append(
            f"restart: the operator's {terms.service} requests until resumed (proxy): "
            f"{_counts(idle.resume_service_requests)}"
        )
    report.details += [
        f"restart: the operator's apiserver requests until resumed: {_counts(idle.resume_requests)}",
        f"idle window: reconciles {_counts(idle.reconciles)}",
        f"idle window: {terms.service} requests {_counts(idle.admin_requests)}",
        f"idle window: apiserver requests by the operator {_counts(idle.operator_requests)}; "
        f"apiserver_request_total difference, all clients of the test-bed: {idle.apiserver_all_clients}",
    ]
    return report


def print_report(report: Report, notes: list[str]) -> None:
    header = ("figure", "measured", "target")
    widths = [max(len(row[i]) for row in [header, *report.rows]) for i in range(2)]
    print()
    for row in [header, *report.rows]:
        print(f"{row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]}".rstrip())
    print()
    for line in [*report.details, *notes]:
        print(f"- {line}")


def machine() -> str:
    pages, page_size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    memory_gib = pages * page_size / 2**30
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{os.cpu_count()} cores ({platform.machine()}), {memory_gib:.1f} GiB RAM, "
        f"Linux {platform.release()}, Python {platform.python_version()}; load average at the end {load}"
    )


def operator_code(repo: Path) -> str:
    """The commit the operator ran from, and whether its source had uncommitted changes."""
    try:
        commit = _git(repo, "rev-parse", "--short", "HEAD")
        changed = _git(repo, "status", "--porcelain", "--", "operator")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"commit {commit}" + (" with uncommitted changes under operator/" if changed else "")


def _git(repo: Path, *arguments: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *arguments], capture_output=True, text=True, check=True)
    return done.stdout.strip()
