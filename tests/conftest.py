"""Session fixtures shared by integration and end-to-end tests.

`testbed` uses a running test-bed or starts one. A component that cannot start fails the tests that
need it with the component's name and log; nothing is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from onex_operator.testbed.components.kube import kubernetes_binary
from onex_operator.testbed.credentials import ModelTestbedCredentials
from onex_operator.testbed.manager import Testbed, TestbedFailedError
from onex_operator.testbed.settings import ModelTestbedSettings, load_settings


@dataclass(frozen=True)
class RunningTestbed:
    settings: ModelTestbedSettings
    credentials: ModelTestbedCredentials
    env: dict[str, str]
    kubeconfig: Path
    kubectl: Path


@pytest.fixture(scope="session")
def testbed() -> RunningTestbed:
    manager = Testbed(load_settings())
    try:
        manager.up()
    except TestbedFailedError as failed:
        pytest.fail(f"the test-bed could not start:\n{failed}", pytrace=False)
    env = manager.client_env()
    return RunningTestbed(
        settings=manager.settings,
        credentials=manager.context.credentials,
        env=env,
        kubeconfig=Path(env["KUBECONFIG"]),
        kubectl=kubernetes_binary(manager.settings.cache_dir, "kubectl"),
    )
