"""`onex-infra`: the command line of the operator (run, testbed, contracts, plan, demo)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from onex_operator.contracts.cli import register as register_contracts
from onex_operator.demo import register as register_demo
from onex_operator.planning.cli import register as register_plan
from onex_operator.runtime.cli import register as register_run
from onex_operator.testbed.cli import register as register_testbed

EX_USAGE = 64  # sysexits.h: the command was used incorrectly
ARGPARSE_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="onex-infra",
        description="Declarative Kafka, Consul, Vault/OpenBao and PostgreSQL for Kubernetes.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    register_run(commands)
    register_testbed(commands)
    register_contracts(commands)
    register_plan(commands)
    register_demo(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exited:
        # argparse's usage errors exit 2, which `onex-infra plan` uses for "changes pending": a
        # script must tell the two apart (--help still exits 0)
        if exited.code == ARGPARSE_USAGE:
            raise SystemExit(EX_USAGE) from exited
        raise
    handler = args.handler
    code: int = handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
