"""Optional components: `testbed up` never starts them; the tests that need one start and stop it here.

They run on the test-bed's own machinery (the build cached under the cache directory, the port from
the settings with its `ONEX_TESTBED_PORT_<NAME>` override, the readiness probe, the log in
`<run>/logs/<name>.log`, the record in `<run>/state.json`), restricted to the optional ones named, so
starting or stopping one never touches the components `testbed up` started. A test that must not
share one with other sessions gives it its own run directory and a free port, as the e2e tests do.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from onex_operator.testbed.components import optional_components
from onex_operator.testbed.errors import TestbedError
from onex_operator.testbed.manager import Testbed
from onex_operator.testbed.progress import Progress
from onex_operator.testbed.settings import ModelTestbedSettings

TANSU = "tansu"


class ModelTansuAccess(BaseModel):
    """A running tansu broker: one PLAINTEXT listener, no credentials."""

    model_config = ConfigDict(frozen=True)

    bootstrap: str
    pid: int
    version: str
    log_path: Path


def optional_testbed(
    settings: ModelTestbedSettings, names: Sequence[str], progress: Progress | None = None
) -> Testbed:
    """A test-bed whose `up`, `down` and `status` concern only the named optional components."""
    testbed = Testbed(settings, progress)
    available = {component.name: component for component in optional_components(testbed.context)}
    unknown = sorted(set(names) - set(available))
    if unknown:
        raise TestbedError("testbed", f"no optional component named {', '.join(unknown)}")
    testbed.components = [available[name] for name in names]
    return testbed


def start_tansu(settings: ModelTestbedSettings, progress: Progress | None = None) -> ModelTansuAccess:
    """Obtain (once) and start tansu, or reuse the one this run directory already runs; raises
    `TestbedFailedError` naming its log when it cannot start."""
    (status,) = optional_testbed(settings, [TANSU], progress).up()
    if status.pid is None or status.version is None or status.log_path is None:
        raise TestbedError(TANSU, f"started but reported no process: {status}")
    return ModelTansuAccess(
        bootstrap=f"127.0.0.1:{settings.ports.tansu}",
        pid=status.pid,
        version=status.version,
        log_path=Path(status.log_path),
    )


def stop_tansu(settings: ModelTestbedSettings, progress: Progress | None = None) -> bool:
    """Stop the tansu this run directory started; False when none ran."""
    return TANSU in optional_testbed(settings, [TANSU], progress).down()


@contextmanager
def running_tansu(
    settings: ModelTestbedSettings, progress: Progress | None = None
) -> Iterator[ModelTansuAccess]:
    """A started tansu, always stopped on the way out."""
    try:
        yield start_tansu(settings, progress)
    finally:
        stop_tansu(settings, progress)
