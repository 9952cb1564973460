"""How soon the operator tries again after an error."""

from enum import StrEnum


class EnumRetryPolicy(StrEnum):
    NONE = "none"  # only a change of the spec starts a new attempt
    BACKOFF = "backoff"  # exponential backoff from a short delay
    SLOW = "slow"  # a long fixed delay: a human change is expected first
