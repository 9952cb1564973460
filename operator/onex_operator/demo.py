"""`onex-infra demo`: the main job of the README. For now: the test-bed, its status and endpoints."""

from __future__ import annotations

import argparse
import sys

from onex_operator.testbed.cli import render_env, render_status_table
from onex_operator.testbed.manager import Testbed, TestbedFailedError
from onex_operator.testbed.settings import load_settings


def _demo(_: argparse.Namespace) -> int:
    testbed = Testbed(load_settings())
    try:
        statuses = testbed.up()
    except TestbedFailedError as failed:
        print(f"demo: the test-bed did not start:\n{failed}", file=sys.stderr)
        return 1
    print("\nTest-bed components:\n")
    print(render_status_table(statuses))
    print('\nClient settings (eval "$(.venv/bin/onex-infra testbed env)" to use them):\n')
    print(render_env(testbed.client_env(), reveal_secrets=False))
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    commands.add_parser("demo", help="start the test-bed and show what runs").set_defaults(handler=_demo)
