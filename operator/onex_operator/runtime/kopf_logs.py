"""kopf's log lines that say, less well, what the operator's own lines say.

A resource waiting for a Secret or a dependency is retried through kopf's TemporaryError, which
kopf logs at ERROR under the handler's internal id at every backoff step: an expected wait is not an
error, and the reconciler already logs each outcome with the resource, the reason and the correlation
id. At a graceful stop, kopf warns about the streams of resources still waiting for a retry; the
operator says instead, at INFO, how many resources were mid-retry.
"""

from __future__ import annotations

import logging

_DROPPED = {
    "kopf.objects": "failed temporarily",
    "kopf._core.reactor.queueing": "Unprocessed streams left",
}


class _QuietRetries(logging.Filter):
    def __init__(self, fragment: str) -> None:
        super().__init__()
        self._fragment = fragment

    def filter(self, record: logging.LogRecord) -> bool:
        return self._fragment not in record.getMessage()


def quiet_kopf() -> None:
    for name, fragment in _DROPPED.items():
        logger = logging.getLogger(name)
        if not any(isinstance(existing, _QuietRetries) for existing in logger.filters):
            logger.addFilter(_QuietRetries(fragment))
