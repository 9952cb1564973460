"""What the operator's loops need of each kind's reconciler, as one type for a list of kinds."""

from __future__ import annotations

from typing import Protocol

from onex_operator.runtime.managed.teardown import ProtocolTeardown
from onex_operator.runtime.managed.usage import ProtocolUsers
from onex_operator.runtime.sweeper import ProtocolSwept


class ProtocolManagedKind(ProtocolSwept, ProtocolUsers, ProtocolTeardown, Protocol):
    """A kind's reconciler: swept for drift, told of Secret changes, counted as connection users,
    and able to finish a namespace's teardown."""

    def retrying_count(self) -> int:
        """Resources whose last reconcile asked for a retry."""
        ...
