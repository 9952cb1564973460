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
import sys
import time

from confluent_kafka.admin import AdminClient

from _bench_kube import TopicSpec, create_namespace, kafka_topic
from _bench_raw import admin_client, create_raw_topics, delete_raw_topics, existing_topics
from _bench_report import KAFKA_TERMS
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

TOPIC = TopicSpec(partitions=1, replication_factor=1, config={"retention.ms": "3600000"})
CPU_COMPONENTS = ("kube-apiserver", "etcd", "kafka")
Session = BenchSession[AdminClient]
NAME = "bench-kafka"
say = progress(NAME)


# -- the raw script and the topics ------------------------------------------------------------------


def raw_run(session: Session, run: int, count: int, batch: int) -> float:
    names = [f"{session.name_prefix}raw{run}-{i:05d}" for i in range(count)]
    say(f"run {run}: raw AdminClient creates {count} topics ({batch} per CreateTopics request)")
    started = time.monotonic()
    create_raw_topics(
        session.client,
        names,
        partitions=TOPIC.partitions,
        replication_factor=TOPIC.replication_factor,
        config=TOPIC.config,
        batch=batch,
    )
    seconds = time.monotonic() - started
    say(f"run {run}: raw AdminClient: {count} topics created in {seconds:.2f}s; deleting them (not timed)")
    delete_raw_topics(session.client, f"{session.name_prefix}raw{run}-", say)
    return seconds


def baseline(session: Session, args: argparse.Namespace) -> Baseline:
    return Baseline(
        raw_run=lambda run: raw_run(session, run, args.topics, args.raw_batch),
        bodies=lambda run, run_id: [
            kafka_topic(f"{run_id}-{i:05d}", run_id, TOPIC) for i in range(args.topics)
        ],
        remove_service=lambda run: delete_raw_topics(session.client, f"{session.name_prefix}r{run}-", say),
    )


def bench(args: argparse.Namespace) -> BenchKind[AdminClient]:
    return BenchKind(
        name=NAME,
        kind="KafkaTopic",
        plural="kafkatopics",
        cpu_components=CPU_COMPONENTS,
        connect=lambda environment: admin_client(args.listener, environment),
        clean=lambda session: delete_raw_topics(session.client, session.name_prefix, say),
        clean_what="delete the Kafka topics",
        terms=KAFKA_TERMS,
    )


def prepare(session: Session, args: argparse.Namespace) -> None:
    assert session.namespace is not None
    create_namespace(session.api, session.namespace, args.listener, session.environment)
    say(f"namespace {session.namespace}: credentials Secret and InfraConnection/default created")
    existing_topics(session.client, session.name_prefix)  # connects the raw client before timing


# -- notes ----------------------------------------------------------------------------------------


def notes(args: argparse.Namespace) -> list[str]:
    return [
        *common_notes(args),
        f"setup: {args.topics} topics x {args.runs} runs, {TOPIC.partitions} partition, replication factor "
        f"{TOPIC.replication_factor}, one config key; Kafka listener {args.listener.upper()}; "
        f"{apply_mode(args)}; raw script: {args.raw_batch} topics per CreateTopics request",
        TIME_TO_READY_NOTE,
        IDLE_WINDOW_NOTE.format(drift=args.idle_drift) + ". The operator's apiserver "
        "requests are counted by a pass-through proxy in front of the apiserver (its kubeconfig points "
        "there), because apiserver_request_total has no user or user-agent label; Kafka admin requests are "
        "the difference of the operator's onex_admin_requests_total",
    ]


# -- main -------------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--topics", type=int, default=1000, help="KafkaTopic resources per run")
    parser.add_argument("--listener", choices=("plaintext", "sasl"), default="plaintext")
    parser.add_argument("--raw-batch", type=int, default=500, help="topics per raw CreateTopics request")
    add_common_options(parser)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    return run_benchmark(
        args,
        bench(args),
        args.topics,
        prepare=lambda session: prepare(session, args),
        baseline=lambda session: baseline(session, args),
        notes=lambda: notes(args),
    )


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        say("interrupted")
        sys.exit(130)
