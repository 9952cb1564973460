"""`onex-infra testbed env`, sourced in a shell, is all a client needs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import RunningTestbed

pytestmark = pytest.mark.integration

_ONEX_INFRA = str(Path(sys.executable).with_name("onex-infra"))

_CLIENTS = """
import os, urllib.parse
import consul, hvac
from confluent_kafka.admin import AdminClient
assert AdminClient({"bootstrap.servers": os.environ["ONEX_KAFKA_BOOTSTRAP"]}).list_topics(timeout=10).brokers
assert hvac.Client(url=os.environ["VAULT_ADDR"], token=os.environ["VAULT_TOKEN"]).is_authenticated()
address = urllib.parse.urlparse(os.environ["CONSUL_HTTP_ADDR"])
agent = consul.Consul(host=address.hostname, port=address.port, token=os.environ["CONSUL_HTTP_TOKEN"])
assert isinstance(agent.agent.services(), dict)
print("clients ok")
"""


def _in_testbed_shell(script: str) -> subprocess.CompletedProcess[str]:
    # a clean environment: only what `testbed env` exports (plus a PATH to find programs)
    return subprocess.run(
        ["bash", "-c", f'eval "$({_ONEX_INFRA} testbed env)"\n{script}'],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(Path.home())},
    )


def test_kubectl_reaches_the_apiserver(testbed: RunningTestbed) -> None:
    result = _in_testbed_shell("kubectl get --raw /readyz")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_psql_reaches_postgres(testbed: RunningTestbed) -> None:
    assert shutil.which("psql"), "psql (Debian postgresql-client) is needed for this check"
    result = _in_testbed_shell("psql -Atc 'SELECT current_user'")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == testbed.env["PGUSER"]


def test_python_clients_reach_kafka_openbao_and_consul(testbed: RunningTestbed) -> None:
    result = _in_testbed_shell(f"{sys.executable} -c '{_CLIENTS}'")
    assert result.returncode == 0, result.stderr
    assert "clients ok" in result.stdout
