"""Migration versions compared as dotted numbers (`2.1` < `10`), and checksums of the SQL."""

from __future__ import annotations

import hashlib

VersionKey = tuple[int, ...]


def version_key(version: str) -> VersionKey:
    """`1.10` -> (1, 10); trailing zeros do not count, so `1`, `1.0` and `01` are one version
    (as Flyway treats them)."""
    parts = [int(part) for part in version.strip().split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def checksum(sql: str) -> str:
    """sha256 of the SQL as written (placeholders unexpanded), hex."""
    return hashlib.sha256(sql.encode()).hexdigest()
