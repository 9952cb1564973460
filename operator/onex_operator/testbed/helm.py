"""Helm, built from the Go module proxy on first use and cached like the test-bed's other Go tools.

`testbed up` never builds it: only the tests of the Helm chart need it, and they call `ensure_helm`,
which builds it once (with progress, log in `<cache>/build-logs/helm.log`) and returns the cached
binary afterwards. `helm.sh/helm/v3` has no replace directives, so the wrapper module in
`assets/gomod/helm` only pins it and its dependencies (go.sum).
"""

from __future__ import annotations

import fcntl
from pathlib import Path

from onex_operator.testbed.errors import TestbedError
from onex_operator.testbed.obtain import ModelGoBuild, ensure_go_build, go_binary_dir
from onex_operator.testbed.progress import Progress
from onex_operator.testbed.settings import ModelTestbedSettings

HELM_VERSION = "3.19.5"

HELM_BUILD = ModelGoBuild(
    component="helm",
    module_dir="helm",
    version=HELM_VERSION,
    packages=["helm.sh/helm/v3/cmd/helm"],
    # as helm's own Makefile stamps it: the release, and the Kubernetes version of its client
    # modules (1.34), which `helm template` and `helm lint` assume without a cluster (else 1.20)
    ldflags=f"-s -w -X helm.sh/helm/v3/internal/version.version=v{HELM_VERSION} "
    "-X helm.sh/helm/v3/internal/version.gitTreeState=clean "
    + " ".join(
        f"-X helm.sh/helm/v3/pkg/{package}.k8sVersion{part}={value}"
        for package in ("lint/rules", "chartutil")
        for part, value in (("Major", "1"), ("Minor", "34"))
    ),
)


def helm_binary(cache_dir: Path) -> Path:
    """Where the cached `helm` is (whether or not it was built yet)."""
    return go_binary_dir(cache_dir, HELM_BUILD) / "helm"


def ensure_helm(settings: ModelTestbedSettings, progress: Progress | None = None) -> Path:
    """The cached `helm`, built first when missing; raises `TestbedError` naming the build log."""
    cache_dir = settings.cache_dir
    binary = helm_binary(cache_dir)
    if binary.is_file():
        return binary
    cache_dir.mkdir(parents=True, exist_ok=True)
    # two pytest sessions may ask at once: one builds, the other waits and finds the result
    with (cache_dir / "helm.obtain.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            ensure_go_build(HELM_BUILD, cache_dir, progress if progress is not None else Progress())
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    if not binary.is_file():
        raise TestbedError("helm", f"the build finished but {binary} is missing")
    return binary
