"""The kinds of health check a ConsulService defines (Consul's check `Type`)."""

from __future__ import annotations

from enum import StrEnum


class EnumConsulCheckKind(StrEnum):
    HTTP = "http"
    TCP = "tcp"
    TTL = "ttl"
