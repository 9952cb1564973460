"""Namespaces that were already being deleted when the operator started.

kopf, when it watches namespaces by name or glob, never starts watching a namespace that is
already Terminating (kopf 1.45 keeps a deleted namespace with blockers out of its list), so the
finalizers there would wait forever: exactly the teardown that an operator restart must finish.
The operator therefore looks for such namespaces itself, at start and every little while, and
finishes them through the same reconcilers and usage tracker: resources by their policy, then
their connection, then its credentials. Watching every namespace (no --namespace) has no such gap.
"""

from __future__ import annotations

import asyncio
import fnmatch
import logging
from collections.abc import Sequence
from typing import Protocol
from uuid import uuid4

from onex_operator.errors import RuntimeHostError
from onex_operator.kube.api import KubeApi
from onex_operator.nodes.connection_resolver.keys import INFRA_CONNECTION
from onex_operator.runtime.managed.usage import IN_USE_FINALIZER, PLURALS, ConnectionUsage

ROUND_SECONDS = 30.0
_log = logging.getLogger("onex.teardown")


class ProtocolTeardown(Protocol):
    async def finish_teardown(self, namespace: str) -> None: ...


def matches(namespace: str, pattern: str) -> bool:
    """kopf's namespace patterns: comma-separated globs, `!` excludes, a leading `!` implies `*`."""
    globs = [glob.strip() for glob in pattern.split(",") if glob.strip()]
    if not globs or globs[0].startswith("!"):
        globs.insert(0, "*")
    matched = fnmatch.fnmatch(namespace, globs[0])
    for glob in globs[1:]:
        if glob.startswith("!"):
            matched = matched and not fnmatch.fnmatch(namespace, glob[1:])
        else:
            matched = matched or fnmatch.fnmatch(namespace, glob)
    return matched


class TerminatingNamespaces:
    def __init__(
        self,
        kube: KubeApi,
        usage: ConnectionUsage,
        kinds: Sequence[ProtocolTeardown],
        patterns: Sequence[str],
    ) -> None:
        self._kube = kube
        self._usage = usage
        self._kinds = kinds
        self._patterns = patterns
        self._finishing: set[str] = set()

    async def run(self) -> None:
        while True:
            try:
                await self.finish_round()
            except RuntimeHostError as error:
                _log.warning("terminating namespaces not checked (retried): %s", error.message)
            await asyncio.sleep(ROUND_SECONDS)

    async def finish_round(self) -> None:
        correlation_id = uuid4()
        terminating = {
            namespace
            for namespace in await self._kube.terminating_namespaces(correlation_id)
            if any(matches(namespace, pattern) for pattern in self._patterns)
        }
        for namespace in self._finishing - terminating:
            self._usage.forget_namespace(namespace)  # gone now
        for namespace in sorted(terminating - self._finishing):
            _log.info(
                "%s namespace %s was Terminating before the operator watched it: finishing it",
                correlation_id,
                namespace,
            )
        self._finishing = terminating
        for namespace in sorted(terminating):
            plural = PLURALS[INFRA_CONNECTION]
            for body in await self._kube.list_namespaced(plural, namespace, correlation_id):
                self._usage.connection_event(INFRA_CONNECTION, "MODIFIED", body)
            for secret in await self._kube.secrets_with_finalizer(
                namespace, IN_USE_FINALIZER, correlation_id
            ):
                self._usage.secret_event("MODIFIED", secret)
            for kind in self._kinds:
                await kind.finish_teardown(namespace)
