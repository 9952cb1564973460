from __future__ import annotations

from enum import StrEnum


class EnumVaultAuthMethod(StrEnum):
    TOKEN = "token"
    APP_ROLE = "app-role"
    KUBERNETES = "kubernetes"
