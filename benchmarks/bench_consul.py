"""Benchmark of the ConsulService operator (a program, not a test): it prints numbers and asserts nothing.

Against the running test-bed (started if needed; never stopped), in a namespace of its own, with
InfraConnection/default holding a consul section whose token (the test-bed's management token) is
read from a Secret:
  1. N ConsulService resources (one TTL check each) applied at once (created concurrently): seconds
     until all are Ready, the same N agent registrations by a plain py-consul script with 32
     threads, and the ratio; median of --runs runs, fresh service ids every run, clean-up between
     runs not timed;
  2. the operator's resident memory (VmRSS) with the N resources of the last run managed;
  3. one idle drift interval: the operator is restarted with a short drift interval (--idle-drift),
     its kubeconfig pointing at a counting proxy in front of the kube-apiserver and the connection's
     consul address at a counting proxy in front of Consul's HTTP port; once the restart's resume
     reconciles and the first drift sweep are over, the Consul and apiserver requests it sends over
     one interval.

A TTL check, not a tcp one: a TTL check costs the agent nothing until it is passed, where 1,000 tcp
checks would be 1,000 probes every interval by the agent on the same two cores, measuring the agent's
prober more than the operator (the operator's work per check type is the same).

    python benchmarks/bench_consul.py [--services 1000] [--runs 3] [--idle-drift 20s] [--skip-idle]

Everything it creates (namespace, resources, the Consul services bench-consul-<session>-*, the
operator process) is removed at the end, also after a failure or Ctrl-C.
"""

from __future__ import annotations

import argparse
import time
from functools import partial

import consul

from _bench_kube import SECRET_NAME, consul_service, create_connection_namespace
from _bench_proxy import consul_request_label
from _bench_raw_consul import consul_client, deregister_prefix, register_raw_services
from _bench_report import ReportTerms
from _bench_session import (
    TIME_TO_READY_NOTE,
    Baseline,
    BenchKind,
    BenchSession,
    apply_mode,
    bench_main,
    common_notes,
    count_service_requests,
    idle_service_note,
    parse_bench_args,
    run_benchmark,
)
from _bench_steps import progress

NAME = "bench-consul"
say = progress(NAME)
Session = BenchSession[consul.Consul]
TOKEN_KEY = "consul-token"
CPU_COMPONENTS = ("kube-apiserver", "etcd", "consul")
CLEAN_THREADS = 32
TERMS = ReportTerms(
    kind="ConsulService",
    objects="services",
    raw="raw py-consul script, 32 threads",
    service="Consul",
    ready_target="< 20",
    ratio_target="< 3x",
    requests_target="-",
    idle_requests_target="one batched read per connection",
    memory_target="-",
)


def id_prefix(session: Session) -> str:
    """Every Consul service of this session has an id `bench-consul-<session>-...`."""
    return f"{NAME}-{session.session_id}-"


def consul_connection(address: str) -> dict[str, object]:
    return {"consul": {"address": address, "tokenSecretRef": {"name": SECRET_NAME, "key": TOKEN_KEY}}}


def count_consul_requests(session: Session) -> None:
    """Consul's HTTP port behind a counting proxy, the connection's consul address on it."""
    address = session.environment["CONSUL_HTTP_ADDR"]
    count_service_requests(session, address, consul_request_label, consul_connection, "Consul")


# -- the raw script and the Consul services -----------------------------------------------------------


def raw_run(session: Session, run: int, args: argparse.Namespace) -> float:
    prefix = f"{id_prefix(session)}raw{run}-"
    service_ids = [f"{prefix}s{i:05d}" for i in range(args.services)]
    say(f"run {run}: raw py-consul script registers {args.services} services ({args.raw_threads} threads)")
    started = time.monotonic()
    register_raw_services(session.client, service_ids, threads=args.raw_threads, ttl=args.ttl)
    seconds = time.monotonic() - started
    say(f"run {run}: raw py-consul script: {args.services} services registered in {seconds:.2f}s")
    deregister_prefix(session.client, prefix, CLEAN_THREADS, say)
    return seconds


def bodies(session: Session, run: int, run_id: str, args: argparse.Namespace) -> list[dict[str, object]]:
    prefix = f"{id_prefix(session)}r{run}-"
    return [
        consul_service(f"{run_id}-{i:05d}", run_id, f"{prefix}s{i:05d}", port=8080, ttl=args.ttl)
        for i in range(args.services)
    ]


def baseline(session: Session, args: argparse.Namespace) -> Baseline:
    return Baseline(
        raw_run=lambda run: raw_run(session, run, args),
        bodies=lambda run, run_id: bodies(session, run, run_id, args),
        # the operator deregisters its services as their resources go; whatever is left, by hand
        remove_service=lambda run: deregister_prefix(
            session.client, f"{id_prefix(session)}r{run}-", CLEAN_THREADS, say
        ),
    )


def bench(args: argparse.Namespace) -> BenchKind[consul.Consul]:
    return BenchKind(
        name=NAME,
        kind="ConsulService",
        plural="consulservices",
        cpu_components=CPU_COMPONENTS,
        connect=lambda environment: consul_client(
            environment["CONSUL_HTTP_ADDR"], environment["CONSUL_HTTP_TOKEN"], args.raw_threads
        ),
        clean=lambda session: deregister_prefix(session.client, id_prefix(session), CLEAN_THREADS, say),
        clean_what="deregister the Consul services",
        terms=TERMS,
    )


def prepare(session: Session, args: argparse.Namespace) -> None:
    """The token Secret and InfraConnection/default (consul), the raw client connected."""
    assert session.namespace is not None
    token = {TOKEN_KEY: session.environment["CONSUL_HTTP_TOKEN"]}
    connection = consul_connection(session.environment["CONSUL_HTTP_ADDR"])
    create_connection_namespace(session.api, session.namespace, token, connection)
    say(f"namespace {session.namespace}: token Secret and InfraConnection/default (consul) created")
    if args.count_requests:
        count_consul_requests(session)
    session.client.agent.services()  # connects before timing (agent.self would send no token)


# -- notes ----------------------------------------------------------------------------------------


AGENT_NOTE = (
    "what the agent API allows: it has no batch registration, so a new service costs one "
    "PUT agent/service/register (with its checks); reads are batched, so the drift checks of every "
    "ConsulService on one connection cost one GET agent/services and one GET agent/checks per sweep"
)


def notes(args: argparse.Namespace) -> list[str]:
    setup = (
        f"setup: {args.services} ConsulServices x {args.runs} runs, agent registrations, one TTL check "
        f"each (ttl {args.ttl}; the checks stay critical: nobody passes them, and a critical check does "
        "not make a ConsulService un-Ready); the test-bed's management token, from a Secret; "
        f"{apply_mode(args)}; raw script: one py-consul client, {args.raw_threads} threads, "
        "one PUT agent/service/register per service with the same check"
    )
    per_run = TIME_TO_READY_NOTE + "; Consul requests per run: the operator's own onex_admin_requests_total"
    idle = idle_service_note(args, "Consul", "the InfraConnection's consul address points there")
    return [*common_notes(args), setup, per_run, *idle, AGENT_NOTE]


# -- main -------------------------------------------------------------------------------------------


def consul_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--services", type=int, default=1000, help="ConsulService resources per run")
    parser.add_argument("--raw-threads", type=int, default=32, help="threads of the raw py-consul script")
    parser.add_argument("--ttl", default="10m", help="TTL of each service's check")


def main() -> int:
    args = parse_bench_args(__doc__, consul_options)
    return run_benchmark(
        args,
        bench(args),
        args.services,
        prepare=partial(prepare, args=args),
        baseline=partial(baseline, args=args),
        notes=partial(notes, args),
        prepare_idle=count_consul_requests,
    )


if __name__ == "__main__":
    bench_main(main, say)
