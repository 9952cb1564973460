"""Resident memory and CPU time of processes, read from /proc."""

from __future__ import annotations

import os
from pathlib import Path

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_UTIME_FIELD, _STIME_FIELD = 14, 15  # numbered as in `man proc` (5)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (all its threads)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = text[text.rindex(")") + 2 :].split()
    # fields[0] is field 3 (state), so field N of `man proc` is fields[N - 3]
    return (int(fields[_UTIME_FIELD - 3]) + int(fields[_STIME_FIELD - 3])) / _CLOCK_TICKS


def group_cpu_seconds(leader: int) -> float:
    """CPU time of every live process in the process group `leader` (a test-bed component)."""
    found = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) == leader:
                found += cpu_seconds(int(entry.name))
        except OSError:
            continue
    return found


def machine_busy_seconds() -> float:
    """CPU time the whole machine spent not idle, over all cores (from /proc/stat)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle, iowait = fields[3], fields[4]
    return (sum(fields[:8]) - idle - iowait) / _CLOCK_TICKS
