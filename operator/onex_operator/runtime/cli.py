"""`onex-infra run`: start the operator against the cluster of the current kubeconfig (or in-cluster)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
from pathlib import Path

from onex_operator.durations import parse_duration
from onex_operator.runtime.operator import run_operator
from onex_operator.runtime.settings import IN_CLUSTER_TOKEN, ModelOperatorSettings


def _duration(text: str) -> float:
    try:
        return parse_duration(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
    )
    # kopf narrates every handler run; keep its warnings, our lines carry the correlation ids
    logging.getLogger("kopf").setLevel(logging.DEBUG if verbose else logging.WARNING)


def settings_from(args: argparse.Namespace) -> ModelOperatorSettings:
    return ModelOperatorSettings(
        namespaces=tuple(args.namespace or []),
        drift_interval_seconds=args.drift_interval,
        retry_interval_seconds=args.retry_interval,
        hub_port=args.hub_port,
        peering_name=args.peering,
        **({"peering_priority": args.peering_priority} if args.peering_priority is not None else {}),
        worker_limit=args.worker_limit,
        operator_namespace=args.operator_namespace,
        hash_key_secret=args.hash_key_secret,
        service_account_token_path=args.service_account_token_file,
    )


def _run(args: argparse.Namespace) -> int:
    configure_logging(args.verbose)
    asyncio.run(run_operator(settings_from(args)))
    return 0


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    environ = os.environ
    namespaces = [ns for ns in environ.get("ONEX_NAMESPACES", "").split(",") if ns]
    parser.add_argument(
        "--namespace",
        "-n",
        action="append",
        default=namespaces or None,
        help="watch only this namespace (repeatable; default: all namespaces)",
    )
    parser.add_argument(
        "--drift-interval",
        type=_duration,
        default=environ.get("ONEX_DRIFT_INTERVAL", "5m"),
        help="default interval between drift checks of a resource (e.g. 30s, 5m)",
    )
    parser.add_argument(
        "--retry-interval",
        type=_duration,
        default=environ.get("ONEX_RETRY_INTERVAL", "30s"),
        help="how soon a resource that is not Ready is looked at again by the sweep",
    )
    parser.add_argument(
        "--hub-port",
        type=int,
        default=int(environ.get("ONEX_HUB_PORT", "8080")),
        help="port of /healthz /readyz /metrics /nodes /services",
    )
    parser.add_argument(
        "--peering",
        default=environ.get("ONEX_PEERING") or None,
        help="kopf peering name, for more than one replica (needs kopf's peering CRDs)",
    )
    parser.add_argument(
        "--peering-priority",
        type=int,
        default=int(environ["ONEX_PEERING_PRIORITY"]) if environ.get("ONEX_PEERING_PRIORITY") else None,
        help="this replica's kopf peering priority (default: random, so no two replicas share one)",
    )
    parser.add_argument("--worker-limit", type=int, default=2000, help="objects handled concurrently at most")
    parser.add_argument(
        "--operator-namespace",
        default=environ.get("POD_NAMESPACE", "default"),
        help="the operator's own namespace, where it keeps its hash-key Secret (default: $POD_NAMESPACE)",
    )
    parser.add_argument(
        "--hash-key-secret",
        default=environ.get("ONEX_HASH_KEY_SECRET", "onex-infra-operator-hash-key"),
        help="Secret holding the key of the keyed hashes in status (created when missing)",
    )
    parser.add_argument(
        "--service-account-token-file",
        type=Path,
        default=Path(environ.get("ONEX_SERVICE_ACCOUNT_TOKEN_FILE", str(IN_CLUSTER_TOKEN))),
        help="service-account token for Vault's Kubernetes auth (default: the pod's own)",
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="debug logging, kopf's included")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("run", help="run the operator")
    add_run_arguments(parser)
    parser.set_defaults(handler=_run)
