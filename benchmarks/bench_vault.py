"""Benchmark of the VaultSecret operator (a program, not a test): it prints numbers and asserts nothing.

Against the running test-bed (started if needed; never stopped), in a namespace of its own, with
InfraConnection/default holding a vault section with token auth (the test-bed's root token, read
from a Secret):
  1. N VaultSecret resources (two keys each: one literal value, one generated; no target) applied at
     once (created concurrently): seconds until all are Ready, the same N KV v2 writes by a plain
     hvac script with 32 threads, and the ratio; median of --runs runs, fresh paths every run,
     clean-up between runs not timed;
  2. the operator's resident memory (VmRSS) with the N resources of the last run managed;
  3. one idle drift interval: the operator is restarted with a short drift interval (--idle-drift),
     its kubeconfig pointing at a counting proxy in front of the kube-apiserver and the connection's
     vault address at a counting proxy in front of OpenBao (whose dev server has no per-request
     metric to rely on); once the restart's resume reconciles and the first drift sweep are over,
     the OpenBao and apiserver requests it sends over one interval.

    python benchmarks/bench_vault.py [--secrets 1000] [--runs 3] [--idle-drift 20s] [--skip-idle]

Everything it creates (namespace, resources, KV secrets under secret/bench-vault/<session>/, the
operator process) is removed at the end, also after a failure or Ctrl-C.
"""

from __future__ import annotations

import argparse
import sys
import time
from urllib.parse import urlsplit

import hvac

from _bench_kube import SECRET_NAME, create_connection_namespace, patch_connection, vault_secret
from _bench_proxy import CountingProxy, vault_request_label
from _bench_raw_vault import delete_tree, vault_client, write_raw_secrets
from _bench_report import ReportTerms
from _bench_session import (
    IDLE_WINDOW_NOTE,
    TIME_TO_READY_NOTE,
    Baseline,
    BenchKind,
    BenchSession,
    add_common_options,
    apply_mode,
    common_notes,
    run_benchmark,
)
from _bench_steps import progress

MOUNT = "secret"  # the test-bed's KV v2 mount
TOKEN_KEY = "vault-token"
CPU_COMPONENTS = ("kube-apiserver", "etcd", "openbao")
CLEAN_THREADS = 32
TERMS = ReportTerms(
    kind="VaultSecret",
    objects="secrets",
    raw="raw hvac script, 32 threads",
    service="OpenBao",
    ready_target="< 20",
    ratio_target="< 3x",
    requests_target="-",
    idle_requests_target="{count} (one KV read per secret)",
    memory_target="-",
)
KV_NOTE = (
    "what the KV API forces: KV has no batch read, so a drift check costs one read per secret per "
    "drift interval; a KV v2 read of the current version (GET <mount>/data/<path>) also returns the "
    "secret's custom_metadata, so the data and the ownership marker are checked by that one request. "
    "A new secret needs at least two writes (the custom_metadata with the ownership marker, then the "
    "data with check-and-set), because a KV v2 data write cannot carry custom_metadata"
)
Session = BenchSession[hvac.Client]
NAME = "bench-vault"
say = progress(NAME)


def vault_prefix(session: Session) -> str:
    """Every KV secret of this session lives under `<MOUNT>/bench-vault/<session>/`."""
    return f"bench-vault/{session.session_id}"


def vault_connection(address: str) -> dict[str, object]:
    token = {"secretRef": {"name": SECRET_NAME, "key": TOKEN_KEY}}
    return {"vault": {"address": address, "auth": {"token": token}}}


def count_openbao_requests(session: Session) -> None:
    """Put a counting proxy in front of OpenBao and the connection's vault address on it."""
    assert session.namespace is not None
    if session.service_proxy is None:
        upstream = urlsplit(session.environment["VAULT_ADDR"])
        host, port = upstream.hostname or "127.0.0.1", upstream.port or 8200
        session.service_proxy = CountingProxy(host, port, None, vault_request_label)
        address = f"http://127.0.0.1:{session.service_proxy.start()}"
        patch_connection(session.api, session.namespace, vault_connection(address))
        say(f"OpenBao requests counted by a proxy at {address}")


# -- the raw script and the KV secrets ----------------------------------------------------------------


def raw_run(session: Session, run: int, args: argparse.Namespace) -> float:
    prefix = f"{vault_prefix(session)}/raw{run}"
    paths = [f"{prefix}/s{i:05d}" for i in range(args.secrets)]
    say(f"run {run}: raw hvac script writes {args.secrets} secrets ({args.raw_threads} threads)")
    started = time.monotonic()
    write_raw_secrets(
        session.client, MOUNT, paths, threads=args.raw_threads, generate_length=args.generate_length
    )
    seconds = time.monotonic() - started
    say(f"run {run}: raw hvac script: {args.secrets} secrets written in {seconds:.2f}s; deleting them")
    delete_tree(session.client, MOUNT, prefix, CLEAN_THREADS, say)
    return seconds


def bodies(session: Session, run: int, run_id: str, args: argparse.Namespace) -> list[dict[str, object]]:
    path = f"{vault_prefix(session)}/r{run}"
    return [
        vault_secret(
            f"{run_id}-{i:05d}", run_id, MOUNT, f"{path}/s{i:05d}", generate_length=args.generate_length
        )
        for i in range(args.secrets)
    ]


def baseline(session: Session, args: argparse.Namespace) -> Baseline:
    return Baseline(
        raw_run=lambda run: raw_run(session, run, args),
        bodies=lambda run, run_id: bodies(session, run, run_id, args),
        remove_service=lambda run: delete_tree(
            session.client, MOUNT, f"{vault_prefix(session)}/r{run}", CLEAN_THREADS, say
        ),
    )


def bench(args: argparse.Namespace) -> BenchKind[hvac.Client]:
    return BenchKind(
        name=NAME,
        kind="VaultSecret",
        plural="vaultsecrets",
        cpu_components=CPU_COMPONENTS,
        connect=lambda environment: vault_client(
            environment["VAULT_ADDR"], environment["VAULT_TOKEN"], args.raw_threads
        ),
        clean=lambda session: delete_tree(session.client, MOUNT, vault_prefix(session), CLEAN_THREADS, say),
        clean_what="delete the KV secrets",
        terms=TERMS,
    )


def prepare(session: Session, args: argparse.Namespace) -> None:
    """The token Secret and InfraConnection/default (vault), the raw client connected."""
    assert session.namespace is not None
    token = {TOKEN_KEY: session.environment["VAULT_TOKEN"]}
    connection = vault_connection(session.environment["VAULT_ADDR"])
    create_connection_namespace(session.api, session.namespace, token, connection)
    say(f"namespace {session.namespace}: token Secret and InfraConnection/default (vault) created")
    # the hash-key Secret lives in the benchmark's namespace, so nothing of it outlives the session
    session.operator_args[:0] = ["--operator-namespace", session.namespace]
    if args.count_requests:
        count_openbao_requests(session)
    session.client.secrets.kv.v2.read_configuration(mount_point=MOUNT)  # connects before timing


# -- notes ----------------------------------------------------------------------------------------


def notes(args: argparse.Namespace) -> list[str]:
    idle = (
        []
        if args.skip_idle
        else [
            IDLE_WINDOW_NOTE.format(drift=args.idle_drift) + ". Its OpenBao requests are "
            "counted by a pass-through proxy in front of OpenBao (the InfraConnection's vault address points "
            "there: the dev server has no per-request metric to rely on) and, as a cross-check, by its own "
            "onex_admin_requests_total; its apiserver requests by a proxy in front of the apiserver (its "
            "kubeconfig points there)",
        ]
    )
    return [
        *common_notes(args),
        f"setup: {args.secrets} VaultSecrets x {args.runs} runs, KV v2 at {MOUNT}/, two keys each (a "
        f"literal value and a generated {args.generate_length}-character alphanumeric value), no target "
        f"Secret; token auth (the test-bed's root token, from a Secret); {apply_mode(args)}; "
        f"raw script: one hvac client, {args.raw_threads} threads, one KV v2 write per secret "
        "(the same two keys, the value generated by the script)",
        TIME_TO_READY_NOTE + "; OpenBao requests per run: the operator's own onex_admin_requests_total",
        *idle,
        KV_NOTE,
    ]


# -- main -------------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--secrets", type=int, default=1000, help="VaultSecret resources per run")
    parser.add_argument("--raw-threads", type=int, default=32, help="threads of the raw hvac script")
    parser.add_argument("--generate-length", type=int, default=32, help="length of the generated value")
    add_common_options(parser)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    return run_benchmark(
        args,
        bench(args),
        args.secrets,
        prepare=lambda session: prepare(session, args),
        baseline=lambda session: baseline(session, args),
        notes=lambda: notes(args),
        prepare_idle=count_openbao_requests,
    )


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        say("interrupted")
        sys.exit(130)
