"""`onex-infra contracts validate|generate` (filled in by the contract issue)."""

from __future__ import annotations

import argparse


def _not_yet(_: argparse.Namespace) -> int:
    print("contracts commands are not implemented yet")
    return 2


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("contracts", help="validate contracts and generate CRDs and models")
    parser.set_defaults(handler=_not_yet)
