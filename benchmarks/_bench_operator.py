"""The operator as its own process (as in production), its Prometheus metrics and its memory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class OperatorProcess:
    def __init__(
        self,
        namespace: str,
        drift_interval: str,
        kubeconfig: Path,
        log_path: Path,
        extra: list[str],
        *,
        profile: Path | None = None,
    ) -> None:
        """`profile`: run under cProfile, its statistics written there when the operator stops."""
        self.hub_port = free_port()
        self.log_path = log_path
        profiler = ["-m", "cProfile", "-o", str(profile)] if profile is not None else []
        command = [
            sys.executable,
            *profiler,
            "-m",
            "onex_operator",
            "run",
            "--namespace",
            namespace,
            "--drift-interval",
            drift_interval,
            "--hub-port",
            str(self.hub_port),
            *extra,
        ]
        environment = {**os.environ, "KUBECONFIG": str(kubeconfig)}
        with log_path.open("ab") as log:
            # a session of its own: Ctrl-C in the terminal reaches the benchmark, which stops the
            # operator only after it has removed the resources' finalizers
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=environment, start_new_session=True
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the operator exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if self._get("/readyz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the operator was not ready after {timeout:.0f}s:\n{self.log_tail()}")

    def metrics(self) -> Counter[str]:
        """Every sample of /metrics, keyed `name{label="value",...}` (labels sorted)."""
        _, text = self._get("/metrics")
        samples: Counter[str] = Counter()
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                labels = ",".join(f'{key}="{value}"' for key, value in sorted(sample.labels.items()))
                samples[f"{sample.name}{{{labels}}}"] = int(sample.value)
        return samples

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def _get(self, path: str) -> tuple[int, str]:
        url = f"http://127.0.0.1:{self.hub_port}{path}"
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return int(response.status), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def total(samples: Counter[str], name: str) -> int:
    """The sum of every series of one metric."""
    return sum(value for key, value in samples.items() if key.startswith(name + "{"))


def by_label(samples: Counter[str], name: str, label: str) -> Counter[str]:
    """One metric's series summed by the value of one label."""
    found: Counter[str] = Counter()
    marker = f'{label}="'
    for key, value in samples.items():
        if key.startswith(name + "{") and marker in key:
            start = key.index(marker) + len(marker)
            found[key[start : key.index('"', start)]] += value
    return found
