"""`onex-infra contracts validate [PATH...]` and `onex-infra contracts generate [--check]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from onex_operator.contracts.catalog import load_catalog
from onex_operator.contracts.contract_checks import check_catalog
from onex_operator.contracts.generate import differing_files, generated_files, write_files
from onex_operator.contracts.project import CONTRACTS_DIR, ProjectRootNotFoundError, find_project_root
from onex_operator.contracts.ruff_format import FormatterError
from onex_operator.contracts.validation_run import ValidationRun

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_ERROR = 2


def _root(args: argparse.Namespace) -> Path:
    root: Path | None = args.root
    return root if root is not None else find_project_root(Path.cwd())


def _validate(args: argparse.Namespace) -> int:
    try:
        report = ValidationRun(_root(args)).run(list(args.paths))
    except ProjectRootNotFoundError as error:
        print(error, file=sys.stderr)
        return EXIT_ERROR
    for issue in report.issues:
        print(issue)
    print(
        f"{report.files} files checked: {report.documents_valid} resources valid, "
        f"{report.documents_skipped} documents of other API groups skipped, {len(report.issues)} problems"
    )
    return EXIT_OK if report.ok else EXIT_INVALID


def _generate(args: argparse.Namespace) -> int:
    try:
        root = _root(args)
        catalog, issues = load_catalog(root / CONTRACTS_DIR)
        issues += check_catalog(catalog)
        if issues:
            for issue in issues:
                print(issue)
            print("contracts are invalid; nothing generated", file=sys.stderr)
            return EXIT_INVALID
        files = generated_files(root, catalog)
    except (ProjectRootNotFoundError, FormatterError) as error:
        print(error, file=sys.stderr)
        return EXIT_ERROR
    if args.check:
        stale = differing_files(root, files)
        for path in stale:
            print(f"out of date: {path}")
        if stale:
            print("run `onex-infra contracts generate` and commit the result", file=sys.stderr)
            return EXIT_INVALID
        print(f"{len(files)} generated files are up to date")
        return EXIT_OK
    changed = write_files(root, files)
    for path in changed:
        print(f"wrote {path}")
    print(f"{len(changed)} of {len(files)} generated files changed")
    return EXIT_OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "contracts", help="validate contracts and manifests, generate CRDs and models"
    )
    parser.add_argument(
        "--root", type=Path, default=None, help="project folder holding contracts/ (default: found from here)"
    )
    actions = parser.add_subparsers(dest="contracts_command", required=True, metavar="ACTION")
    validate = actions.add_parser(
        "validate",
        help="check contract files and custom-resource manifests offline (exit 0 only if all valid)",
    )
    validate.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="files or folders (default: contracts and examples)",
    )
    validate.set_defaults(handler=_validate)
    generate = actions.add_parser(
        "generate", help="write crds/*.yaml and the typed models from the contracts"
    )
    generate.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 when a generated file differs from the contracts",
    )
    generate.set_defaults(handler=_generate)
