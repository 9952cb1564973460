"""Benchmark of the test-bed (a program, not a test): it prints numbers and asserts nothing.

It measures a separate test-bed (its own cache, data and ports, so a running one is untouched):
  1. cold `up`: empty Go module and build caches, empty Maven repository, nothing built;
  2. warm `up`: everything cached, nothing running (after `down`);
then each component's time to ready in the warm run and its resident memory once idle.

    python benchmarks/bench_testbed.py [--skip-cold]

The cold run downloads and compiles Kubernetes, etcd and Consul: expect 15 minutes or more on two
cores. Debian packages (PostgreSQL) installed on the machine stay installed, so they are not part of
the cold figure.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from onex_operator.testbed.manager import ModelComponentStatus, Testbed
from onex_operator.testbed.progress import Progress, format_duration
from onex_operator.testbed.settings import load_settings

PORT_SHIFT = 1000


def _isolated_environment(root: Path, cold: bool) -> dict[str, str]:
    base = load_settings()
    environment = dict(os.environ)
    environment["ONEX_TESTBED_CACHE"] = str(root / "cache")
    environment["ONEX_TESTBED_POSTGRES_DIR"] = str(base.postgres_dir) + "-bench"
    for name, port in base.ports.model_dump().items():
        environment[f"ONEX_TESTBED_PORT_{name.upper()}"] = str(port + PORT_SHIFT)
    if cold:
        environment["GOMODCACHE"] = str(root / "gomodcache")
        environment["GOCACHE"] = str(root / "gocache")
        environment["MAVEN_OPTS"] = f"-Dmaven.repo.local={root / 'm2'}"
        environment["PIP_NO_CACHE_DIR"] = "1"
    return environment


def _timed_up(environment: dict[str, str]) -> tuple[float, list[ModelComponentStatus], Testbed]:
    previous = dict(os.environ)
    os.environ.update(environment)  # the build tools inherit GOMODCACHE, GOCACHE, MAVEN_OPTS
    try:
        testbed = Testbed(load_settings(environment), Progress(heartbeat_seconds=30))
        started = time.monotonic()
        statuses = testbed.up()
        return time.monotonic() - started, statuses, testbed
    finally:
        os.environ.clear()
        os.environ.update(previous)


def _group_rss_kib(leader: int) -> int:
    """Resident memory of a process and every process in its group (PostgreSQL forks backends)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != leader:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return total


def main() -> int:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--skip-cold", action="store_true", help="measure only the warm start")
    parser.add_argument("--idle-seconds", type=float, default=20.0, help="wait before reading memory")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="onex-bench-testbed-"))
    results: list[tuple[str, str]] = []
    testbed: Testbed | None = None
    try:
        if not args.skip_cold:
            cold_seconds, _, testbed = _timed_up(_isolated_environment(root, cold=True))
            results.append(("cold up (nothing cached)", format_duration(cold_seconds)))
            testbed.down()
        else:
            # prime the isolated cache from the machine's Go and Maven caches (fast when they are warm)
            _, _, testbed = _timed_up(_isolated_environment(root, cold=False))
            testbed.down()
        warm_seconds, statuses, testbed = _timed_up(_isolated_environment(root, cold=False))
        results.append(("warm up (cached, nothing running)", format_duration(warm_seconds)))
        time.sleep(args.idle_seconds)
        print()
        print(f"{'component':<26}{'ready after':>12}{'idle RSS':>12}")
        for status in statuses:
            rss = _group_rss_kib(status.pid) if status.pid else 0
            ready = format_duration(status.ready_seconds or 0.0)
            print(f"{status.name:<26}{ready:>12}{rss / 1024:>10.0f} MB")
        print()
        for label, value in results:
            print(f"{label:<36}{value:>10}")
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    finally:
        if testbed is not None:
            testbed.down(purge=True)
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
