"""The optional tansu component, without starting it."""

from __future__ import annotations

from pathlib import Path

import pytest

from onex_operator.testbed.components import all_components, optional_components
from onex_operator.testbed.components.base import TestbedContext
from onex_operator.testbed.components.tansu import CLUSTER_ID, TansuComponent, tansu_binary
from onex_operator.testbed.credentials import generate_credentials
from onex_operator.testbed.errors import TestbedError
from onex_operator.testbed.http_probe import ProbeFailedError
from onex_operator.testbed.optional import optional_testbed
from onex_operator.testbed.progress import Progress
from onex_operator.testbed.settings import ModelTestbedSettings, load_settings
from tests.cpu_burner import free_port

pytestmark = pytest.mark.unit


def _settings(tmp_path: Path, **ports: int) -> ModelTestbedSettings:
    environ = {"ONEX_TESTBED_CACHE": str(tmp_path / "cache")}
    environ |= {f"ONEX_TESTBED_PORT_{name.upper()}": str(port) for name, port in ports.items()}
    return load_settings(environ)


def _context(settings: ModelTestbedSettings) -> TestbedContext:
    return TestbedContext(settings=settings, credentials=generate_credentials(), progress=Progress())


def test_tansu_has_its_own_port_with_an_override(tmp_path: Path) -> None:
    assert _settings(tmp_path).ports.tansu == 19095
    assert _settings(tmp_path, tansu=29095).ports.tansu == 29095
    context = _context(_settings(tmp_path))
    taken = {port for component in all_components(context) for port in component.ports()}
    assert TansuComponent(context).ports()[0] not in taken


def test_testbed_up_never_starts_tansu(tmp_path: Path) -> None:
    context = _context(_settings(tmp_path))
    assert "tansu" not in [component.name for component in all_components(context)]
    assert [component.name for component in optional_components(context)] == ["tansu"]


def test_an_optional_testbed_holds_only_what_it_names(tmp_path: Path) -> None:
    settings = _settings(tmp_path, tansu=29095)
    testbed = optional_testbed(settings, ["tansu"])
    assert [component.name for component in testbed.components] == ["tansu"]
    assert testbed.client_env() == {"ONEX_TANSU_BOOTSTRAP": "127.0.0.1:29095"}
    with pytest.raises(TestbedError, match="no optional component named kafka"):
        optional_testbed(settings, ["kafka"])


def test_tansu_listens_on_loopback_only_and_keeps_nothing_on_disk(tmp_path: Path) -> None:
    settings = _settings(tmp_path, tansu=29095)
    launch = TansuComponent(_context(settings)).launch()
    assert launch.command[:2] == [str(tansu_binary(settings.cache_dir)), "broker"]
    assert tansu_binary(settings.cache_dir).is_relative_to(settings.cache_dir)
    assert set(launch.command[2:]) == {
        f"--cluster-id={CLUSTER_ID}",
        "--listener-url=tcp://127.0.0.1:29095",
        "--advertised-listener-url=tcp://127.0.0.1:29095",
        "--storage-engine=memory://tansu/",
    }
    assert launch.cwd == settings.run_dir / "tansu"


def test_nothing_listening_is_not_ready(tmp_path: Path) -> None:
    component = TansuComponent(_context(_settings(tmp_path, tansu=free_port())))
    with pytest.raises(ProbeFailedError, match="nothing listens"):
        component.probe()
