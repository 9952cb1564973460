"""`onex-infra plan -f FILE`: what the operator would change for the resources in FILE (KafkaTopic,
VaultSecret, ConsulService, PostgresMigration), against the live services, without writing anything.

Exit codes: 0 nothing to change; 2 changes pending; 1 something blocks them (a refusal, a
conflict, an error, an invalid manifest); 64 a usage error (with `usage:` on stderr). `--output json`
carries the exit code in its `exit_code` field.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from onex_operator.errors import sanitize
from onex_operator.planning.render import render_json, render_text
from onex_operator.planning.run import PlanRequest, make_plan

_EPILOG = """\
exit codes: 0 nothing to change (Observe drift is reported, not counted); 2 changes pending;
1 a refusal, a conflict, an error or an invalid manifest; 64 a usage error (with `usage:` on
stderr). --output json carries the code in `exit_code`.

Nothing is written: Kafka is only described, Vault only read, Consul only read (the agent's services
and checks), Kubernetes only read (connections, Secrets and the live resources, whose status records
what each resource created). Secret values are never shown: a VaultSecret's changes name keys only, a
ConsulService's name fields, meta keys and checks (never a meta value or a token)."""


def _connection(text: str) -> tuple[str, str]:
    namespace, _, name = text.partition("/")
    if not namespace or not name or "/" in name:
        raise argparse.ArgumentTypeError(f"expected NAMESPACE/NAME, got {text!r}")
    return namespace, name


def _bootstrap(text: str) -> tuple[str, ...]:
    servers = tuple(server.strip() for server in text.split(","))
    for server in servers:
        host, _, port = server.rpartition(":")
        if not host or not port.isdigit():
            raise argparse.ArgumentTypeError(f"expected HOST:PORT[,HOST:PORT...], got {text!r}")
    return servers


def _quiet_logs(verbose: bool) -> None:
    # librdkafka's connection complaints and urllib3's retries reach the plan as classified errors
    level = logging.INFO if verbose else logging.ERROR
    for name in ("onex", "urllib3", "kubernetes", "hvac"):
        logging.getLogger(name).setLevel(level)
    if verbose:
        logging.basicConfig(format="%(levelname)s %(name)s: %(message)s")


def _run(args: argparse.Namespace) -> int:
    _quiet_logs(args.verbose)
    request = PlanRequest(
        files=args.files, namespace=args.namespace, connection=args.connection, bootstrap=args.bootstrap
    )
    report = asyncio.run(make_plan(request))
    rendered = render_json(report) if args.output == "json" else render_text(report)
    # the one exit of the plan: whatever it says passes the sanitizer
    print(sanitize(rendered))
    sys.stdout.flush()
    return report.exit_code


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "plan",
        help="show what the operator would change for the resources in files (writes nothing)",
        description="Print what the operator would change for the KafkaTopic, VaultSecret,\n"
        "ConsulService and PostgresMigration resources in FILE, against the live services, without\n"
        "writing anything.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "-f",
        "--filename",
        dest="files",
        action="append",
        type=Path,
        required=True,
        metavar="FILE",
        help="YAML file (many documents) or folder of them; repeatable",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--connection",
        type=_connection,
        metavar="NAMESPACE/NAME",
        help="use this InfraConnection (and Secrets in its namespace) for every resource "
        "instead of each resource's connectionRef",
    )
    where.add_argument(
        "--bootstrap",
        type=_bootstrap,
        metavar="HOST:PORT",
        help="KafkaTopics: talk to a PLAINTEXT broker directly, without Kubernetes (ownership then comes "
        "only from adopt; other kinds cannot be planned without their connections)",
    )
    parser.add_argument(
        "--namespace",
        "-n",
        default="default",
        help="namespace of resources whose manifest names none (default: default)",
    )
    parser.add_argument("--output", "-o", choices=("text", "json"), default="text", help="output format")
    parser.add_argument("--verbose", "-v", action="store_true", help="show the clients' own log lines")
    parser.set_defaults(handler=_run)
