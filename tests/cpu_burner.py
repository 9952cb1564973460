"""A busy machine for tests, and loopback ports nobody listens on.

The burner keeps every core busy the way another build on the machine does. Each burner process is
a session of its own, as a build started from another terminal or CI job is: Linux shares the CPU
between sessions (autogroup), so busy loops in the test's own session would slow the test but
hardly the processes it starts, which start sessions of their own. And each runs several busy
threads that hand the interpreter lock to each other thousands of times a second, so the scheduler
switches tasks all the time, as with a parallel build's threads. Measured with `/bin/sleep` checked
right after `Popen`, a process is caught between its exec and the set-up of its arguments in about
5 of 100 starts with single-threaded busy loops and 20 of 100 with these.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

# reports once its threads spin, so the machine is busy before the test goes on
_BURN = """
import sys, threading
sys.setswitchinterval(1e-5)
def spin():
    while True:
        pass
for _ in range(3):
    threading.Thread(target=spin, daemon=True).start()
sys.stdout.write("x")
sys.stdout.flush()
spin()
"""


@contextmanager
def cpu_burner() -> Iterator[None]:
    """Keep every core busy (one burner process of four threads per core) until the block ends."""
    burners: list[subprocess.Popen[bytes]] = []
    try:
        for _ in range(os.cpu_count() or 1):
            burners.append(
                subprocess.Popen(
                    [sys.executable, "-c", _BURN], stdout=subprocess.PIPE, start_new_session=True
                )
            )
        for burner in burners:
            assert burner.stdout is not None
            assert burner.stdout.read(1) == b"x", "a CPU burner did not start"
        yield
    finally:
        for burner in burners:
            burner.send_signal(signal.SIGKILL)
        for burner in burners:
            burner.wait()
            if burner.stdout is not None:
                burner.stdout.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
