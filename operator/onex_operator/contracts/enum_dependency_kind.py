"""What a contract dependency names: another contract, an external service or a code protocol."""

from enum import StrEnum


class EnumDependencyKind(StrEnum):
    CONTRACT = "contract"
    SERVICE = "service"
    PROTOCOL = "protocol"
