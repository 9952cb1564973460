"""`onex-infra testbed up | down | status | env`."""

from __future__ import annotations

import argparse
import shlex
import sys

from onex_operator.testbed.manager import ModelComponentStatus, Testbed, TestbedFailedError
from onex_operator.testbed.progress import format_duration
from onex_operator.testbed.settings import load_settings


def render_status_table(statuses: list[ModelComponentStatus]) -> str:
    header = ("COMPONENT", "PID", "PORTS", "VERSION", "HEALTH")
    rows = [
        (
            status.name,
            str(status.pid) if status.pid else "-",
            ",".join(str(port) for port in status.ports),
            status.version or "-",
            status.health,
        )
        for status in statuses
    ]
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    )


_SECRET_MARKERS = ("PASSWORD", "TOKEN")


def render_env(variables: dict[str, str], reveal_secrets: bool = True) -> str:
    def shown(name: str, value: str) -> str:
        if not reveal_secrets and any(marker in name for marker in _SECRET_MARKERS):
            return "'<hidden: see onex-infra testbed env>'"
        return shlex.quote(value)

    lines = [f"export {name}={shown(name, value)}" for name, value in sorted(variables.items())]
    if "ONEX_TESTBED_BIN" in variables:
        lines.append('export PATH="$ONEX_TESTBED_BIN:$PATH"')
    return "\n".join(lines)


def _up(_: argparse.Namespace) -> int:
    testbed = Testbed(load_settings())
    try:
        statuses = testbed.up()
    except TestbedFailedError as failed:
        print(f"testbed up failed:\n{failed}", file=sys.stderr)
        return 1
    slowest = max((status.ready_seconds or 0.0) for status in statuses)
    print(render_status_table(statuses))
    print(
        f"all {len(statuses)} components ready (slowest {format_duration(slowest)}); "
        "`onex-infra testbed env` prints the client settings"
    )
    return 0


def _down(args: argparse.Namespace) -> int:
    stopped = Testbed(load_settings()).down(purge=args.purge)
    print(f"stopped: {', '.join(stopped) if stopped else 'nothing was running'}")
    return 0


def _status(_: argparse.Namespace) -> int:
    statuses = Testbed(load_settings()).status()
    print(render_status_table(statuses))
    return 0 if all(status.health == "ready" for status in statuses) else 1


def _env(_: argparse.Namespace) -> int:
    print(render_env(Testbed(load_settings()).client_env()))
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("testbed", help="the local test-bed of real services")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("up", help="obtain, start and wait for every component").set_defaults(handler=_up)
    down = actions.add_parser("down", help="stop what `up` started")
    down.add_argument("--purge", action="store_true", help="also remove the data (builds stay cached)")
    down.set_defaults(handler=_down)
    actions.add_parser("status", help="each component's pid, ports, version and health").set_defaults(
        handler=_status
    )
    actions.add_parser(
        "env", help='shell exports for clients (eval "$(onex-infra testbed env)")'
    ).set_defaults(handler=_env)
