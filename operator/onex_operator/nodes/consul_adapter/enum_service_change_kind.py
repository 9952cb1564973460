"""What one change of a Consul registration does."""

from __future__ import annotations

from enum import StrEnum


class EnumServiceChangeKind(StrEnum):
    REGISTER = "register"  # the service id is not registered: register it with its checks
    UPDATE = "update"  # a field of the registration differs (named in the change)
    ADD_CHECK = "add_check"
    UPDATE_CHECK = "update_check"
    REMOVE_CHECK = "remove_check"
    DEREGISTER = "deregister"  # deletion by policy (onex-infra plan of a deleted resource)
