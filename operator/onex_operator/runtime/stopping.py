"""SIGINT and SIGTERM stop the operator once, quietly.

kopf's own handlers set a future's result and raise InvalidStateError (a traceback) when a second
signal arrives, as when a terminal's Ctrl-C and a supervisor's SIGTERM meet. These handlers set the
operator's stop flag, and a second signal is only logged.
"""

from __future__ import annotations

import asyncio
import logging
import signal

_log = logging.getLogger("onex.operator")


def install_stop_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()

    def on_signal(signum: signal.Signals) -> None:
        if stop.is_set():
            _log.info("%s received again: already stopping", signum.name)
            return
        _log.info("%s received: stopping", signum.name)
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, on_signal, signum)
