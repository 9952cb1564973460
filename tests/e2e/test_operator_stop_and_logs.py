"""What a user sees in the first hour: an expected wait logged as what it is (not an ERROR at
every backoff step), and a stop by Ctrl-C or SIGTERM, once or twice, with no traceback and one
line about the resources still waiting for a retry."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from kubernetes.client import ApiClient

from tests.conftest import RunningTestbed
from tests.e2e.conftest import free_port, make_cluster, release_namespace, running_operator, wait_until

pytestmark = pytest.mark.e2e
CORRELATION_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def stopped_with(process: subprocess.Popen[bytes], *signals: signal.Signals) -> int:
    for signum in signals:
        process.send_signal(signum)
        time.sleep(0.3)  # the second signal meets a stop in progress, as a user's would
    return process.wait(timeout=60)


def assert_quiet_stop(log: str) -> None:
    assert "Traceback" not in log and "InvalidStateError" not in log, log[-3000:]
    assert "Unprocessed streams" not in log, log[-3000:]
    assert log.rstrip().endswith("operator stopped"), log[-1000:]


@pytest.mark.parametrize("signals", [(signal.SIGTERM, signal.SIGTERM), (signal.SIGINT, signal.SIGTERM)])
def test_a_wait_is_no_error_and_a_stop_is_quiet(
    api: ApiClient,
    testbed: RunningTestbed,
    tmp_path_factory: pytest.TempPathFactory,
    signals: tuple[signal.Signals, ...],
) -> None:
    prefix = f"e2e-quiet-{signals[0].name.lower()}-"
    cluster = make_cluster(api, testbed, prefix)
    try:
        # the connection's password Secret does not exist: the topic waits, retried with backoff
        cluster.apply(
            "infraconnections",
            "InfraConnection",
            "waiting",
            {
                "kafka": {
                    "bootstrapServers": [testbed.env["ONEX_KAFKA_SASL_BOOTSTRAP"]],
                    "securityProtocol": "SASL_PLAINTEXT",
                    "sasl": {
                        "mechanism": testbed.env["ONEX_KAFKA_SASL_MECHANISM"],
                        "username": testbed.env["ONEX_KAFKA_SASL_USERNAME"],
                        "passwordSecretRef": {"name": "not-there-yet", "key": "password"},
                    },
                }
            },
        )
        spec = {"partitions": 1, "connectionRef": {"kind": "InfraConnection", "name": "waiting"}}
        cluster.apply("kafkatopics", "KafkaTopic", "waits", spec)
        with running_operator(
            testbed, tmp_path_factory.mktemp("quiet"), f"{prefix}*", retry="1s"
        ) as operator:
            cluster.wait_condition("kafkatopics", "waits", status="False", reason="SecretResolutionError")
            # several backoff steps pass (1 s, 2 s, 4 s)
            wait_until(lambda: "waits" in operator.log() and operator.process.poll() is None, 10, "no log")
            time.sleep(8)
            code = stopped_with(operator.process, *signals)
            log = operator.log()
        assert code == 0, log[-3000:]
        assert " ERROR " not in log, [line for line in log.splitlines() if " ERROR " in line]
        waits = [line for line in log.splitlines() if "KafkaTopic" in line and "/waits" in line]
        assert any(
            " INFO " in line and "SecretResolutionError" in line and CORRELATION_ID.search(line)
            for line in waits
        ), waits
        assert "mid-retry" in log, log[-2000:]
        assert_quiet_stop(log)
    finally:
        release_namespace(api, cluster.namespace)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_the_demo_stops_quietly(testbed: RunningTestbed, tmp_path: Path, signum: signal.Signals) -> None:
    onex_infra = str(Path(sys.executable).with_name("onex-infra"))
    output = tmp_path / "demo.log"
    with output.open("wb") as sink:
        demo = subprocess.Popen(
            [onex_infra, "demo", "--hub-port", str(free_port())], stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        wait_until(
            lambda: "Ctrl-C stops it" in output.read_text(errors="replace") or demo.poll() is not None,
            300,
            lambda: (
                f"the demo never reached its running state:\n{output.read_text(errors='replace')[-3000:]}"
            ),
        )
        code = stopped_with(demo, signum)
    finally:
        if demo.poll() is None:
            demo.kill()
    log = output.read_text(errors="replace")
    assert code == 0, log[-3000:]
    assert_quiet_stop(log)
