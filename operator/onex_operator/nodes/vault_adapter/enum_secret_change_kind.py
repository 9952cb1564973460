from __future__ import annotations

from enum import StrEnum


class EnumSecretChangeKind(StrEnum):
    ADD = "add"  # key missing in Vault
    UPDATE = "update"  # key present with another value
    REGENERATE = "regenerate"  # generated key regenerated on request (rotation)
    REMOVE = "remove"  # key in Vault not named by the spec (prune only)
