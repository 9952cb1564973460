"""Benchmark of the KafkaTopic operator (a program, not a test): it prints numbers and asserts nothing.

Against the running test-bed (started if needed; never stopped), in a namespace of its own:
  1. N KafkaTopic resources applied at once (created concurrently): seconds until all are Ready,
     the same N topics created by a plain batched confluent-kafka AdminClient script, and the ratio;
     median of --runs runs, fresh names every run, clean-up between runs not timed;
  2. the operator's resident memory (VmRSS) with the N resources of the last run managed;
  3. one idle drift interval: the operator is restarted with a short drift interval (--idle-drift)
     and its kubeconfig pointing at a counting proxy in front of the kube-apiserver; once the
     restart's resume reconciles and the first drift sweep are over, the apiserver requests it sends
     and the Kafka admin requests it counts (onex_admin_requests_total) over one interval.

    python benchmarks/bench_kafka.py [--topics 1000] [--runs 3] [--listener plaintext]

Everything it creates (namespace, resources, topics named bench-<session>-..., the operator
process) is removed at the end, also after a failure or Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from confluent_kafka.admin import AdminClient
from kubernetes.client import ApiClient

from _bench_kube import (
    RUN_LABEL,
    ReadyWatch,
    TopicSpec,
    apply_crds,
    create_namespace,
    create_resources,
    delete_namespace,
    delete_resources,
    kafka_topic,
    make_api_client,
)
from _bench_operator import OperatorProcess, by_label, total
from _bench_proc import cpu_seconds, group_cpu_seconds, machine_busy_seconds, rss_mib
from _bench_proxy import CountingProxy, apiserver_requests, kubeconfig_access, write_proxy_kubeconfig
from _bench_raw import admin_client, create_raw_topics, delete_raw_topics, existing_topics
from _bench_report import (
    IdleFigures,
    RunFigures,
    idle_report,
    machine,
    operator_code,
    print_report,
    readiness_report,
)
from onex_operator.durations import parse_duration
from onex_operator.testbed.manager import Testbed
from onex_operator.testbed.progress import format_duration
from onex_operator.testbed.settings import load_settings

READINESS_DRIFT = "1h"  # no drift sweep may fall inside a timed run
TOPIC = TopicSpec(partitions=1, replication_factor=1, config={"retention.ms": "3600000"})
RECONCILES = "onex_reconciles_total"
ADMIN_REQUESTS = "onex_admin_requests_total"
DRIFT_CORRECTIONS = "onex_drift_corrections_total"
CPU_COMPONENTS = ("kube-apiserver", "etcd", "kafka")
REPO = Path(__file__).resolve().parents[1]


def say(message: str) -> None:
    print(f"[bench-kafka] {message}", file=sys.stderr, flush=True)


@dataclass
class Session:
    """Everything the benchmark started or created, for the clean-up."""

    api: ApiClient
    admin: AdminClient
    environment: dict[str, str]
    workdir: Path
    session_id: str
    components: dict[str, int]  # test-bed processes whose CPU time is reported, by name
    operator_args: list[str]
    keep_logs: bool
    namespace: str | None = None
    operator: OperatorProcess | None = None
    proxy: CountingProxy | None = None
    runs: list[RunFigures] = field(default_factory=list)

    @property
    def topic_prefix(self) -> str:
        """Every topic and resource of this session is named `bench-<session>-...`."""
        return f"bench-{self.session_id}-"


# -- set-up and clean-up ----------------------------------------------------------------------------


def start_operator(session: Session, drift: str, kubeconfig: Path) -> OperatorProcess:
    assert session.namespace is not None
    log_path = session.workdir / f"operator-{drift}.log"
    operator = OperatorProcess(session.namespace, drift, kubeconfig, log_path, session.operator_args)
    session.operator = operator
    operator.wait_ready()
    say(f"operator running (pid {operator.pid}, drift interval {drift}, watching {session.namespace})")
    return operator


def proxy_kubeconfig(session: Session) -> Path:
    """A kubeconfig that sends the operator through the counting proxy (started on first use)."""
    kubeconfig = session.workdir / "proxy-kubeconfig"
    if session.proxy is None:
        access = kubeconfig_access(Path(session.environment["KUBECONFIG"]))
        session.proxy = CountingProxy(access.host, access.port, access.tls)
        write_proxy_kubeconfig(kubeconfig, session.proxy.start(), access.token)
    return kubeconfig


def stop_operator(session: Session) -> None:
    if session.operator is not None:
        session.operator.stop()
        say(f"operator stopped (pid {session.operator.pid})")
        session.operator = None


def clean_up(session: Session) -> None:
    # a second Ctrl-C would leave resources, topics or the operator behind; every step has a timeout
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    say("cleaning up (Ctrl-C is ignored until it is done)")
    namespace = session.namespace
    if namespace is not None:
        # while the operator runs, it removes its finalizers; after 60s they are removed by hand
        attempt(
            "delete the KafkaTopic resources", lambda: delete_resources(session.api, namespace, None, 60, say)
        )
    attempt("stop the operator", lambda: stop_operator(session))
    if namespace is not None:
        attempt("delete the namespace", lambda: delete_namespace(session.api, namespace, say))
    attempt("delete the Kafka topics", lambda: delete_raw_topics(session.admin, session.topic_prefix, say))
    if session.proxy is not None:
        session.proxy.stop()
    if session.keep_logs:
        say(f"operator logs kept in {session.workdir}")
    else:
        shutil.rmtree(session.workdir, ignore_errors=True)
    say("clean")


def attempt(what: str, step: Callable[[], None]) -> None:
    """One clean-up step; a failure is reported and the next step still runs."""
    try:
        step()
    except Exception as error:  # noqa: BLE001 - the clean-up goes on whatever failed
        say(f"could not {what}: {type(error).__name__}: {error}")


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@contextmanager
def bench_session(args: argparse.Namespace) -> Iterator[Session]:
    say("bringing the test-bed up (components already running are reused)")
    testbed = Testbed(load_settings())
    statuses = testbed.up()
    environment = {**os.environ, **testbed.client_env()}
    api = make_api_client(Path(environment["KUBECONFIG"]), pool_size=64)
    admin = admin_client(args.listener, environment)
    session = Session(
        api=api,
        admin=admin,
        environment=environment,
        workdir=Path(tempfile.mkdtemp(prefix="onex-bench-kafka-")),
        session_id=uuid.uuid4().hex[:6],
        components={s.name: s.pid for s in statuses if s.pid and s.name in CPU_COMPONENTS},
        operator_args=shlex.split(args.operator_args),
        keep_logs=args.keep_logs,
    )
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield session
    except Exception:
        if session.operator is not None:
            say(f"operator log, last lines:\n{session.operator.log_tail()}")
        raise
    finally:
        clean_up(session)
        api.close()  # type: ignore[no-untyped-call]


# -- phase 1 and 2: time to Ready against the raw script ---------------------------------------------


def wait_all_ready(
    watcher: ReadyWatch, count: int, started: float, timeout: float, label: str
) -> float | None:
    next_report = started + 5
    while True:
        times = watcher.ready_times()
        now = time.monotonic()
        if len(times) >= count:
            return times[-1] - started
        if now - started > timeout:
            return None
        if now >= next_report:
            say(f"{label}: {len(times)}/{count} Ready after {now - started:.1f}s")
            next_report += 5
        time.sleep(0.2)


def raw_run(session: Session, run: int, count: int, batch: int) -> float:
    names = [f"{session.topic_prefix}raw{run}-{i:05d}" for i in range(count)]
    say(f"run {run}: raw AdminClient creates {count} topics ({batch} per CreateTopics request)")
    started = time.monotonic()
    create_raw_topics(
        session.admin,
        names,
        partitions=TOPIC.partitions,
        replication_factor=TOPIC.replication_factor,
        config=TOPIC.config,
        batch=batch,
    )
    seconds = time.monotonic() - started
    say(f"run {run}: raw AdminClient: {count} topics created in {seconds:.2f}s; deleting them (not timed)")
    delete_raw_topics(session.admin, f"{session.topic_prefix}raw{run}-", say)
    return seconds


def operator_run(session: Session, run: int, count: int, threads: int, timeout: float) -> RunFigures:
    assert session.namespace is not None and session.operator is not None
    run_id = f"{session.topic_prefix}r{run}"
    bodies = [kafka_topic(f"{run_id}-{i:05d}", run_id, TOPIC) for i in range(count)]
    watcher = ReadyWatch(session.api, session.namespace, run_id)
    watcher.start()
    before = session.operator.metrics()
    proxied_before = session.proxy.counts() if session.proxy is not None else None
    cpu_before = cpu_snapshot(session)
    say(f"run {run}: applying {count} KafkaTopic resources ({threads} concurrent creates)")
    started = time.monotonic()
    try:
        create_resources(session.api, session.namespace, bodies, threads, say)
        applied = time.monotonic() - started
        say(f"run {run}: {count} resources applied in {applied:.2f}s; waiting for Ready")
        ready = wait_all_ready(watcher, count, started, timeout, f"run {run}")
        cpu_after = cpu_snapshot(session)
        # a reconcile counts itself after its status write (and Event): let the last ones finish
        wait_reconciles(session.operator, total(before, RECONCILES) + count, 15, f"run {run}")
    finally:
        watcher.stop()
    after = session.operator.metrics()
    proxied = None
    if session.proxy is not None and proxied_before is not None:
        proxied = session.proxy.counts() - proxied_before
    ready_count = len(watcher.ready_times())
    if ready is None:
        say(f"run {run}: only {ready_count}/{count} Ready after {timeout:.0f}s; states: {watcher.states()}")
    else:
        say(f"run {run}: all {count} Ready {ready:.2f}s after the first create")
    return RunFigures(
        apply_seconds=applied,
        ready_seconds=ready,
        ready_count=ready_count,
        raw_seconds=0.0,
        admin_requests=by_label(after, ADMIN_REQUESTS, "operation")
        - by_label(before, ADMIN_REQUESTS, "operation"),
        reconciles=by_label(after, RECONCILES, "result") - by_label(before, RECONCILES, "result"),
        cpu_seconds=cpu_used(cpu_before, cpu_after),
        operator_requests=proxied,
    )


def cpu_snapshot(session: Session) -> dict[str, float]:
    assert session.operator is not None
    snapshot = {"operator": cpu_seconds(session.operator.pid)}
    snapshot |= {name: group_cpu_seconds(pid) for name, pid in session.components.items()}
    own = os.times()
    snapshot["benchmark"] = own.user + own.system
    snapshot["machine"] = machine_busy_seconds()
    return snapshot


def cpu_used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """CPU seconds by process between two snapshots; `other`: the rest of the machine (other users
    of the test-bed, the system)."""
    used = {name: after[name] - before[name] for name in before}
    machine = used.pop("machine")
    used["other"] = max(0.0, machine - sum(used.values()))
    return used


def remove_run(session: Session, run: int) -> None:
    assert session.namespace is not None
    say(f"run {run}: deleting the resources and their topics (not timed)")
    delete_resources(session.api, session.namespace, f"{RUN_LABEL}={session.topic_prefix}r{run}", 300, say)
    delete_raw_topics(session.admin, f"{session.topic_prefix}r{run}-", say)


def timed_runs(session: Session, args: argparse.Namespace) -> None:
    for run in range(1, args.runs + 1):
        raw_seconds = raw_run(session, run, args.topics, args.raw_batch)
        figures = operator_run(session, run, args.topics, args.threads, args.timeout)
        figures.raw_seconds = raw_seconds
        session.runs.append(figures)
        if run < args.runs:
            remove_run(session, run)


# -- phase 3: one idle drift interval ---------------------------------------------------------------


def wait_reconciles(operator: OperatorProcess, at_least: int, timeout: float, what: str) -> bool:
    """Wait until the operator has counted `at_least` reconciles; False after `timeout`."""
    started = time.monotonic()
    next_report = started + 5
    while (done := total(operator.metrics(), RECONCILES)) < at_least:
        now = time.monotonic()
        if now - started > timeout:
            say(f"{what}: only {done}/{at_least} reconciles after {timeout:.0f}s; measuring anyway")
            return False
        if now >= next_report:
            say(f"{what}: {done}/{at_least} reconciles")
            next_report += 5
        time.sleep(0.5)
    return True


def sleep_with_progress(seconds: float, label: str) -> None:
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        say(f"{label}: {left:.0f}s left")
        time.sleep(min(5.0, left))


def restart_for_idle(
    session: Session, count: int, drift: str
) -> tuple[OperatorProcess, float | None, Counter[str]]:
    """The operator restarted through the counting proxy with a short drift interval; returns it,
    the seconds until every resource's resume reconcile, and the apiserver requests until then."""
    stop_operator(session)
    kubeconfig = proxy_kubeconfig(session)
    assert session.proxy is not None
    say(f"idle phase: operator restarted with drift interval {drift}, its apiserver requests counted")
    counted_before = session.proxy.counts()
    restarted = time.monotonic()
    operator = start_operator(session, drift, kubeconfig)
    resumed = wait_reconciles(operator, count, 300, "resume after restart")
    resume_seconds = time.monotonic() - restarted if resumed else None
    return operator, resume_seconds, session.proxy.counts() - counted_before


def idle_phase(session: Session, count: int, drift: str) -> IdleFigures:
    operator, resume_seconds, resume_requests = restart_for_idle(session, count, drift)
    assert session.proxy is not None
    access = kubeconfig_access(Path(session.environment["KUBECONFIG"]))
    seconds = parse_duration(drift)
    wait_reconciles(operator, 2 * count, seconds + 300, "first drift sweep")
    time.sleep(2)
    before, apiserver_before = operator.metrics(), apiserver_requests(access)
    proxied_before = session.proxy.counts()
    started = time.monotonic()
    sleep_with_progress(seconds, "idle drift interval")
    window = time.monotonic() - started
    after, apiserver_after = operator.metrics(), apiserver_requests(access)
    proxied = session.proxy.counts() - proxied_before
    return IdleFigures(
        resume_seconds=resume_seconds,
        resume_requests=resume_requests,
        window_seconds=window,
        reconciles=by_label(after, RECONCILES, "result") - by_label(before, RECONCILES, "result"),
        admin_requests=by_label(after, ADMIN_REQUESTS, "operation")
        - by_label(before, ADMIN_REQUESTS, "operation"),
        drift_corrections=total(after, DRIFT_CORRECTIONS) - total(before, DRIFT_CORRECTIONS),
        operator_requests=proxied,
        apiserver_all_clients=sum(apiserver_after.values()) - sum(apiserver_before.values()),
        rss_mib=rss_mib(operator.pid),
    )


# -- notes ----------------------------------------------------------------------------------------


def notes(args: argparse.Namespace) -> list[str]:
    extra = f", operator flags {args.operator_args!r}" if args.operator_args else ""
    return [
        f"machine: {machine()}",
        f"operator code: {operator_code(REPO)}{extra}",
        f"setup: {args.topics} topics x {args.runs} runs, {TOPIC.partitions} partition, replication factor "
        f"{TOPIC.replication_factor}, one config key; Kafka listener {args.listener.upper()}; "
        f"{args.threads} concurrent creates; raw script: {args.raw_batch} topics per CreateTopics request",
        "time to Ready: from the first create request until a watch sees the last resource Ready=True for "
        "its generation; figures are medians over the runs; CPU 'other': the rest of the machine (other "
        "users of the shared test-bed, the system)",
        f"idle: the operator is restarted with --drift-interval {args.idle_drift}; once its resume "
        "reconciles and first drift sweep are over, one interval is measured. The operator's apiserver "
        "requests are counted by a pass-through proxy in front of the apiserver (its kubeconfig points "
        "there), because apiserver_request_total has no user or user-agent label; Kafka admin requests are "
        "the difference of the operator's onex_admin_requests_total",
    ]


# -- main -------------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--topics", type=int, default=1000, help="KafkaTopic resources per run")
    parser.add_argument("--runs", type=int, default=3, help="timed runs (the median is reported)")
    parser.add_argument("--listener", choices=("plaintext", "sasl"), default="plaintext")
    parser.add_argument("--threads", type=int, default=32, help="concurrent create requests")
    parser.add_argument("--raw-batch", type=int, default=500, help="topics per raw CreateTopics request")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds a run may wait for Ready")
    parser.add_argument("--idle-drift", default="20s", help="drift interval of the idle phase")
    parser.add_argument("--skip-idle", action="store_true", help="skip the idle drift interval")
    parser.add_argument(
        "--operator-args", default="", help="more `onex-infra run` flags, e.g. '--worker-limit 1000'"
    )
    parser.add_argument("--keep-logs", action="store_true", help="keep the operator logs (path printed)")
    parser.add_argument(
        "--count-requests",
        action="store_true",
        help="diagnosis: count the operator's apiserver requests in the timed runs too (through the proxy, "
        "which costs some CPU and latency)",
    )
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    started = time.monotonic()
    with bench_session(args) as session:
        say("applying the CRDs")
        apply_crds(session.api)
        session.namespace = f"bench-kafka-{session.session_id}"
        create_namespace(session.api, session.namespace, args.listener, session.environment)
        say(f"namespace {session.namespace}: credentials Secret and InfraConnection/default created")
        direct = Path(session.environment["KUBECONFIG"])
        start_operator(session, READINESS_DRIFT, proxy_kubeconfig(session) if args.count_requests else direct)
        existing_topics(session.admin, session.topic_prefix)  # connects the raw client before timing
        timed_runs(session, args)
        assert session.operator is not None
        memory = rss_mib(session.operator.pid)
        report = readiness_report(session.runs, args.topics, memory)
        if not args.skip_idle:
            idle = idle_report(
                idle_phase(session, args.topics, args.idle_drift), args.topics, args.idle_drift
            )
            report.rows += idle.rows
            report.details += idle.details
        print_report(report, notes(args))
    say(f"done in {format_duration(time.monotonic() - started)}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        say("interrupted")
        sys.exit(130)
