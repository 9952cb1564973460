"""What every operator benchmark does around its own kind: the session (the test-bed's environment,
a namespace, the operator as its own process, counting proxies), the timed operator run (N resources
created at once, watched until Ready), the restart and one idle drift interval, and the clean-up.

A benchmark brings its kind (plural, resource bodies), its service client (`client`: the raw
script's), its raw baseline and its service clean-up."""

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
from typing import Generic, TypeVar
from urllib.parse import urlsplit

from kubernetes.client import ApiClient

from _bench_kube import (
    RUN_LABEL,
    JsonObject,
    ReadyWatch,
    apply_crds,
    create_resources,
    delete_namespace,
    delete_resources,
    make_api_client,
    patch_connection,
    release_finalizers,
    server_side_apply,
)
from _bench_operator import OperatorProcess, by_label, total
from _bench_proc import rss_mib
from _bench_proxy import CountingProxy, apiserver_requests, kubeconfig_access, write_proxy_kubeconfig
from _bench_report import (
    IdleFigures,
    Report,
    ReportTerms,
    RunFigures,
    idle_report,
    machine,
    operator_code,
    print_report,
    readiness_report,
)
from _bench_steps import (
    RECONCILES,
    Say,
    attempt,
    cpu_snapshot,
    cpu_used,
    interrupt_on_sigterm,
    progress,
    wait_all_ready,
    wait_reconciles,
)
from onex_operator.durations import parse_duration
from onex_operator.testbed.components.kube import kubernetes_binary
from onex_operator.testbed.manager import Testbed
from onex_operator.testbed.progress import format_duration
from onex_operator.testbed.settings import load_settings

ClientT = TypeVar("ClientT")
READINESS_DRIFT = "1h"  # no drift sweep may fall inside a timed run
ADMIN_REQUESTS = "onex_admin_requests_total"
DRIFT_CORRECTIONS = "onex_drift_corrections_total"
REPO = Path(__file__).resolve().parents[1]
_SETTLE_SECONDS = 2.0  # after the reconcile count is reached: its last Events and writes


@dataclass
class BenchSession(Generic[ClientT]):
    """Everything a benchmark started or created, for the clean-up."""

    kind: str  # "KafkaTopic"
    plural: str  # "kafkatopics"
    say: Say
    api: ApiClient
    client: ClientT  # the service client of the raw script and the service clean-up
    environment: dict[str, str]
    workdir: Path
    session_id: str
    components: dict[str, int]  # test-bed processes whose CPU time is reported, by name
    operator_args: list[str]
    keep_logs: bool
    namespace: str | None = None
    operator: OperatorProcess | None = None
    proxy: CountingProxy | None = None  # in front of the apiserver
    service_proxy: CountingProxy | None = None  # in front of the service, when the benchmark has one
    runs: list[RunFigures] = field(default_factory=list)

    @property
    def name_prefix(self) -> str:
        """Every resource (and Kafka topic) of this session is named `bench-<session>-...`."""
        return f"bench-{self.session_id}-"


# -- the operator and the apiserver proxy -----------------------------------------------------------


def start_operator(
    session: BenchSession[ClientT], drift: str, kubeconfig: Path, profile: Path | None = None
) -> OperatorProcess:
    assert session.namespace is not None
    log_path = session.workdir / f"operator-{drift}.log"
    operator = OperatorProcess(
        session.namespace, drift, kubeconfig, log_path, session.operator_args, profile=profile
    )
    session.operator = operator
    operator.wait_ready()
    session.say(
        f"operator running (pid {operator.pid}, drift interval {drift}, watching {session.namespace})"
    )
    return operator


def proxy_kubeconfig(session: BenchSession[ClientT]) -> Path:
    """A kubeconfig that sends the operator through the counting proxy (started on first use)."""
    kubeconfig = session.workdir / "proxy-kubeconfig"
    if session.proxy is None:
        access = kubeconfig_access(Path(session.environment["KUBECONFIG"]))
        session.proxy = CountingProxy(access.host, access.port, access.tls)
        write_proxy_kubeconfig(kubeconfig, session.proxy.start(), access.token)
    return kubeconfig


def stop_operator(session: BenchSession[ClientT]) -> None:
    if session.operator is not None:
        session.operator.stop()
        session.say(f"operator stopped (pid {session.operator.pid})")
        session.operator = None


# -- the session ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchKind(Generic[ClientT]):
    """One benchmark: its name, the kind it measures, and how it reaches its service and removes
    what it wrote there."""

    name: str  # "bench-kafka": the prefix of its progress lines, its namespace and its temp dir
    kind: str  # "KafkaTopic"
    plural: str  # "kafkatopics"
    cpu_components: tuple[str, ...]  # test-bed components whose CPU time is reported
    connect: Callable[[dict[str, str]], ClientT]  # from the test-bed's client environment
    clean: Callable[[BenchSession[ClientT]], None]
    clean_what: str  # "delete the Kafka topics"
    terms: ReportTerms

    def say(self, message: str) -> None:
        progress(self.name)(message)


def clean_up(session: BenchSession[ClientT], hooks: BenchKind[ClientT]) -> None:
    say = session.say
    # a second Ctrl-C would leave resources, service objects or the operator behind; every step has a
    # timeout
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    say("cleaning up (Ctrl-C is ignored until it is done)")
    namespace = session.namespace
    if namespace is not None:
        # while the operator runs, it removes its finalizers; after 60s they are removed by hand
        attempt(
            f"delete the {session.kind} resources",
            lambda: delete_resources(session.api, namespace, None, 60, say, plural=session.plural),
            say,
        )
    attempt("stop the operator", lambda: stop_operator(session), say)
    if namespace is not None:
        attempt(
            "release the connection's finalizers",
            lambda: release_finalizers(session.api, namespace, say),
            say,
        )
        attempt("delete the namespace", lambda: delete_namespace(session.api, namespace, say), say)
    attempt(hooks.clean_what, lambda: hooks.clean(session), say)
    for proxy in (session.proxy, session.service_proxy):
        if proxy is not None:
            proxy.stop()
    if session.keep_logs:
        say(f"operator logs kept in {session.workdir}")
    else:
        shutil.rmtree(session.workdir, ignore_errors=True)
    say("clean")


@contextmanager
def bench_session(args: argparse.Namespace, bench: BenchKind[ClientT]) -> Iterator[BenchSession[ClientT]]:
    say = bench.say
    say("bringing the test-bed up (components already running are reused)")
    testbed = Testbed(load_settings())
    statuses = testbed.up()
    environment = {**os.environ, **testbed.client_env()}
    api = make_api_client(Path(environment["KUBECONFIG"]), pool_size=64)
    session = BenchSession(
        kind=bench.kind,
        plural=bench.plural,
        say=say,
        api=api,
        client=bench.connect(environment),
        environment=environment,
        workdir=Path(tempfile.mkdtemp(prefix=f"onex-{bench.name}-")),
        session_id=uuid.uuid4().hex[:6],
        components={s.name: s.pid for s in statuses if s.pid and s.name in bench.cpu_components},
        operator_args=shlex.split(args.operator_args),
        keep_logs=args.keep_logs,
    )
    interrupt_on_sigterm()
    try:
        yield session
    except Exception:
        if session.operator is not None:
            say(f"operator log, last lines:\n{session.operator.log_tail()}")
        raise
    finally:
        clean_up(session, bench)
        api.close()  # type: ignore[no-untyped-call]


# -- the timed operator run -------------------------------------------------------------------------


def apply_mode(args: argparse.Namespace) -> str:
    """How the run's resources were applied, for the printed setup line."""
    if args.apply == "server-side":
        return "applied by one kubectl apply --server-side of a List"
    return f"applied by {args.threads} concurrent creates"


def operator_run(
    session: BenchSession[ClientT], run: int, run_id: str, bodies: list[JsonObject], args: argparse.Namespace
) -> RunFigures:
    """Create every resource of one run (labelled `run_id`) at once and watch them until Ready."""
    assert session.namespace is not None and session.operator is not None
    say, count = session.say, len(bodies)
    watcher = ReadyWatch(session.api, session.namespace, run_id, session.plural)
    watcher.start()
    before = session.operator.metrics()
    proxied_before = session.proxy.counts() if session.proxy is not None else None
    cpu_before = cpu_snapshot(session.operator.pid, session.components)
    server_side = args.apply == "server-side"
    say(f"run {run}: {count} {session.kind} resources, {apply_mode(args)}")
    started = time.monotonic()
    try:
        if server_side:
            kubectl = kubernetes_binary(load_settings().cache_dir, "kubectl")
            kubeconfig = Path(session.environment["KUBECONFIG"])
            server_side_apply(kubectl, kubeconfig, session.namespace, bodies, session.workdir)
        else:
            create_resources(session.api, session.namespace, bodies, args.threads, say, plural=session.plural)
        applied = time.monotonic() - started
        say(f"run {run}: {count} resources applied in {applied:.2f}s; waiting for Ready")
        ready = wait_all_ready(watcher, count, started, args.timeout, f"run {run}", say=say)
        cpu_after = cpu_snapshot(session.operator.pid, session.components)
        # a reconcile counts itself after its status write (and Event): let the last ones finish
        wait_reconciles(session.operator, total(before, RECONCILES) + count, 15, f"run {run}", say)
    finally:
        watcher.stop()
    after = session.operator.metrics()
    proxied = None
    if session.proxy is not None and proxied_before is not None:
        proxied = session.proxy.counts() - proxied_before
    ready_count = len(watcher.ready_times())
    if ready is None:
        states = watcher.states()
        say(f"run {run}: only {ready_count}/{count} Ready after {args.timeout:.0f}s; states: {states}")
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


# -- the restart and one idle drift interval --------------------------------------------------------


@dataclass
class Resumed:
    operator: OperatorProcess
    seconds: float | None  # restart until every resource's resume reconcile; None: never
    apiserver: Counter[str]  # the operator's apiserver requests until then
    service: Counter[str] | None  # and its requests to the service, when a proxy counts them


def _service_counts(session: BenchSession[ClientT]) -> Counter[str] | None:
    return session.service_proxy.counts() if session.service_proxy is not None else None


def _since(now: Counter[str] | None, before: Counter[str] | None) -> Counter[str] | None:
    return now - before if now is not None and before is not None else None


def restart_for_idle(
    session: BenchSession[ClientT], count: int, drift: str, prepare: Callable[[], None] | None
) -> Resumed:
    """The operator restarted through the counting proxy with a short drift interval; `prepare` runs
    while it is stopped (e.g. puts a service proxy into the connection)."""
    stop_operator(session)
    if prepare is not None:
        prepare()
    kubeconfig = proxy_kubeconfig(session)
    assert session.proxy is not None
    session.say(f"idle phase: operator restarted with drift interval {drift}, its apiserver requests counted")
    counted_before, service_before = session.proxy.counts(), _service_counts(session)
    restarted = time.monotonic()
    operator = start_operator(session, drift, kubeconfig)
    resumed = wait_reconciles(operator, count, 300, "resume after restart", session.say)
    return Resumed(
        operator=operator,
        seconds=time.monotonic() - restarted if resumed else None,
        apiserver=session.proxy.counts() - counted_before,
        service=_since(_service_counts(session), service_before),
    )


def idle_phase(
    session: BenchSession[ClientT], count: int, drift: str, prepare: Callable[[], None] | None = None
) -> IdleFigures:
    """Restarted with `drift`, once the resume reconciles and the first drift sweep are over: one
    drift interval of the operator's requests (apiserver, service) and reconciles.

    The window runs from the end of the first sweep to the end of the second (each followed by
    `_SETTLE_SECONDS` for the last writes), so it holds exactly one check of every resource: a
    check falls due one interval after the previous one, rounded up to the operator's schedule grid
    and sweep tick, so a window of exactly one interval could miss the next sweep."""
    resumed = restart_for_idle(session, count, drift, prepare)
    operator = resumed.operator
    assert session.proxy is not None
    access = kubeconfig_access(Path(session.environment["KUBECONFIG"]))
    seconds = parse_duration(drift)
    wait_reconciles(operator, 2 * count, seconds + 300, "first drift sweep", session.say)
    time.sleep(_SETTLE_SECONDS)
    before, apiserver_before = operator.metrics(), apiserver_requests(access)
    proxied_before, service_before = session.proxy.counts(), _service_counts(session)
    started = time.monotonic()
    session.say(f"idle window: until the second drift sweep is over (about {drift})")
    wait_reconciles(operator, 3 * count, 2 * seconds + 300, "second drift sweep", session.say)
    time.sleep(_SETTLE_SECONDS)
    window = time.monotonic() - started
    after, apiserver_after = operator.metrics(), apiserver_requests(access)
    return IdleFigures(
        resume_seconds=resumed.seconds,
        resume_requests=resumed.apiserver,
        window_seconds=window,
        reconciles=by_label(after, RECONCILES, "result") - by_label(before, RECONCILES, "result"),
        admin_requests=by_label(after, ADMIN_REQUESTS, "operation")
        - by_label(before, ADMIN_REQUESTS, "operation"),
        drift_corrections=total(after, DRIFT_CORRECTIONS) - total(before, DRIFT_CORRECTIONS),
        operator_requests=session.proxy.counts() - proxied_before,
        apiserver_all_clients=sum(apiserver_after.values()) - sum(apiserver_before.values()),
        rss_mib=rss_mib(operator.pid),
        service_requests=_since(_service_counts(session), service_before),
        resume_service_requests=resumed.service,
    )


# -- the whole measurement --------------------------------------------------------------------------


@dataclass(frozen=True)
class Baseline:
    """A benchmark's side of the measurement, by run number."""

    raw_run: Callable[[int], float]  # the raw script; seconds
    bodies: Callable[[int, str], list[JsonObject]]  # the run's resources, labelled with the run id
    remove_service: Callable[[int], None]  # what the operator wrote to the service in that run


def remove_run(session: BenchSession[ClientT], run: int, baseline: Baseline, what: str) -> None:
    assert session.namespace is not None
    session.say(f"run {run}: deleting the resources and their {what} (not timed)")
    selector = f"{RUN_LABEL}={session.name_prefix}r{run}"
    delete_resources(session.api, session.namespace, selector, 300, session.say, plural=session.plural)
    baseline.remove_service(run)


def measure(
    session: BenchSession[ClientT],
    args: argparse.Namespace,
    count: int,
    baseline: Baseline,
    terms: ReportTerms,
    *,
    prepare_idle: Callable[[], None] | None = None,
) -> Report:
    """The timed runs against the raw script, the operator's memory, and (unless --skip-idle) one
    idle drift interval after a restart."""
    for run in range(1, args.runs + 1):
        raw_seconds = baseline.raw_run(run)
        run_id = f"{session.name_prefix}r{run}"
        figures = operator_run(session, run, run_id, baseline.bodies(run, run_id), args)
        figures.raw_seconds = raw_seconds
        session.runs.append(figures)
        if run < args.runs:
            remove_run(session, run, baseline, terms.objects)
    assert session.operator is not None
    memory = rss_mib(session.operator.pid)
    report = readiness_report(session.runs, count, memory, terms)
    if not args.skip_idle:
        idle = idle_report(
            idle_phase(session, count, args.idle_drift, prepare_idle), count, args.idle_drift, terms
        )
        report.rows += idle.rows
        report.details += idle.details
    return report


# -- options and notes ------------------------------------------------------------------------------


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """The options every operator benchmark has (after its own count option)."""
    parser.add_argument("--runs", type=int, default=3, help="timed runs (the median is reported)")
    parser.add_argument(
        "--apply",
        choices=["server-side", "threads"],
        default="server-side",
        help="how the resources are applied: one `kubectl apply --server-side` of a List, as users "
        "apply (default), or --threads concurrent creates",
    )
    parser.add_argument("--threads", type=int, default=32, help="concurrent creates with --apply threads")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds a run may wait for Ready")
    parser.add_argument("--idle-drift", default="20s", help="drift interval of the idle phase")
    parser.add_argument("--skip-idle", action="store_true", help="skip the idle drift interval")
    parser.add_argument(
        "--operator-args", default="", help="more `onex-infra run` flags, e.g. '--worker-limit 1000'"
    )
    parser.add_argument("--keep-logs", action="store_true", help="keep the operator logs (path printed)")
    parser.add_argument(
        "--profile-operator",
        type=Path,
        metavar="PATH",
        help="diagnosis: run the operator of the timed runs under cProfile; its statistics are written to "
        "PATH when it stops (read them with `python -m pstats PATH`)",
    )
    parser.add_argument(
        "--count-requests",
        action="store_true",
        help="diagnosis: count the operator's apiserver requests in the timed runs too (through the proxy, "
        "which costs some CPU and latency)",
    )


def common_notes(args: argparse.Namespace) -> list[str]:
    """The machine, the operator's code and how time to Ready is measured."""
    extra = f", operator flags {args.operator_args!r}" if args.operator_args else ""
    return [
        f"machine: {machine()}",
        f"operator code: {operator_code(REPO)}{extra}",
    ]


IDLE_WINDOW_NOTE = (
    "idle: the operator is restarted with --drift-interval {drift}; once its resume reconciles and first "
    "drift sweep are over, one interval is measured: from the end of the first sweep to the end of the "
    "second (a check falls due one interval after the last, rounded up to the operator's 5 s schedule "
    "grid and 2 s sweep tick, so the window is a few seconds longer than the interval)"
)
TIME_TO_READY_NOTE = (
    "time to Ready: from the first create request until a watch sees the last resource Ready=True for "
    "its generation; figures are medians over the runs; CPU 'other': the rest of the machine (other "
    "users of the shared test-bed, the system)"
)


def run_benchmark(
    args: argparse.Namespace,
    bench: BenchKind[ClientT],
    count: int,
    *,
    prepare: Callable[[BenchSession[ClientT]], None],
    baseline: Callable[[BenchSession[ClientT]], Baseline],
    notes: Callable[[], list[str]],
    prepare_idle: Callable[[BenchSession[ClientT]], None] | None = None,
) -> int:
    """The whole benchmark: a fresh namespace (`prepare` fills it with the connection and readies the
    raw script's client), its own operator, the measurement, the report, the clean-up."""
    started = time.monotonic()
    with bench_session(args, bench) as session:
        bench.say("applying the CRDs")
        apply_crds(session.api)
        session.namespace = f"{bench.name}-{session.session_id}"
        prepare(session)
        direct = Path(session.environment["KUBECONFIG"])
        kubeconfig = proxy_kubeconfig(session) if args.count_requests else direct
        start_operator(session, READINESS_DRIFT, kubeconfig, args.profile_operator)
        idle_hook = (lambda: prepare_idle(session)) if prepare_idle is not None else None
        report = measure(session, args, count, baseline(session), bench.terms, prepare_idle=idle_hook)
        print_report(report, notes())  # at the end: the notes carry the load average then
    bench.say(f"done in {format_duration(time.monotonic() - started)}")
    return 0


# -- what the benchmarks of a kind with an HTTP service share -----------------------------------------


def count_service_requests(
    session: BenchSession[ClientT],
    address: str,
    label: Callable[[str, str], str],
    connection: Callable[[str], JsonObject],
    service: str,
) -> None:
    """A counting proxy in front of the service at `address` (plain HTTP), and InfraConnection/default
    pointed at it (`connection`: the connection's spec for an address)."""
    assert session.namespace is not None
    if session.service_proxy is None:
        upstream = urlsplit(address)
        host, port = upstream.hostname or "127.0.0.1", upstream.port or 80
        session.service_proxy = CountingProxy(host, port, None, label)
        proxied = f"http://127.0.0.1:{session.service_proxy.start()}"
        patch_connection(session.api, session.namespace, connection(proxied))
        session.say(f"{service} requests counted by a proxy at {proxied}")


def idle_service_note(args: argparse.Namespace, service: str, where: str) -> list[str]:
    """The idle window's method, for a benchmark whose service requests a proxy counts (none with
    --skip-idle); `where`: what the InfraConnection points at the proxy."""
    if args.skip_idle:
        return []
    return [
        IDLE_WINDOW_NOTE.format(drift=args.idle_drift) + f". Its {service} requests are counted by a "
        f"pass-through proxy in front of {service} ({where}) and, as a cross-check, by its own "
        "onex_admin_requests_total; its apiserver requests by a proxy in front of the apiserver (its "
        "kubeconfig points there)"
    ]


def parse_bench_args(
    description: str | None, own_options: Callable[[argparse.ArgumentParser], None]
) -> argparse.Namespace:
    """A benchmark's command line: its own options (its count first), then the common ones."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    own_options(parser)
    add_common_options(parser)
    return parser.parse_args()


def bench_main(main: Callable[[], int], say: Say) -> None:
    """Run a benchmark program: its exit code, 130 after Ctrl-C (its clean-up has run by then)."""
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        say("interrupted")
        sys.exit(130)
