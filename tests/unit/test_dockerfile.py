"""The Dockerfile cannot be built here (no container engine), so its steps are replayed: the files its
COPY lines copy go into a build context under tmp_path, its `pip install` runs in a fresh venv on
that context, and the entrypoint starts with --help. A missing file, a broken dependency or a renamed
console script fails here instead of at `make image`."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
CHART = ROOT / "charts" / "onex-infra-operator"


@dataclass(frozen=True)
class Instruction:
    keyword: str
    argument: str


def instructions() -> list[Instruction]:
    """The Dockerfile's instructions, continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    found: list[Instruction] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, argument = stripped.partition(" ")
            found.append(Instruction(keyword.upper(), argument.strip()))
    return found


def only(keyword: str) -> list[str]:
    return [item.argument for item in instructions() if item.keyword == keyword]


def test_base_image_user_and_entrypoint() -> None:
    (base,) = only("FROM")
    assert re.fullmatch(r"python:3\.11(\.\d+)?-slim(-\w+)?", base), base
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    uid, gid = values["podSecurityContext"]["runAsUser"], values["podSecurityContext"]["runAsGroup"]
    assert only("USER") == [f"{uid}:{gid}"], "the image's user must be the chart's runAsUser/runAsGroup"
    assert any(f"--uid {uid}" in run and f"--gid {gid}" in run for run in only("RUN"))
    assert [json.loads(entry) for entry in only("ENTRYPOINT")] == [["onex-infra", "run"]]
    # the entrypoint is the console script the package declares
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert "onex-infra" in scripts


def test_no_secret_is_baked_in() -> None:
    for keyword in ("ENV", "ARG", "LABEL"):
        for argument in only(keyword):
            assert not re.search(r"token|password|secret|credential|private", argument, re.IGNORECASE), (
                argument
            )
    ignored = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()]
    # the build context is an allow-list: nothing but what the COPY lines name gets in
    assert "*" in ignored
    allowed = {line.removeprefix("!").rstrip("/") for line in ignored if line.startswith("!")}
    copied = {source for copy in only("COPY") for source in shlex.split(copy)[:-1]}
    assert copied <= allowed, copied - allowed


def pip_install_command() -> list[str]:
    (command,) = [run for run in only("RUN") if "pip install" in run]
    words = shlex.split(command)
    assert words[:2] == ["pip", "install"] and "&&" not in words, command
    assert not any("[" in word for word in words), "no extras (dev tools) in the image"
    return words


def test_install_steps_and_entrypoint_help(tmp_path: Path) -> None:
    # the build context: exactly what the COPY lines copy, from the repo
    context = tmp_path / "context"
    image_root = context / "image"
    for copy in only("COPY"):
        *sources, destination = shlex.split(copy)
        assert not any(source.startswith("--") for source in sources), copy
        target = image_root / destination.lstrip("/")
        for source in sources:
            origin = ROOT / source
            if origin.is_dir():
                shutil.copytree(
                    origin, target, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
                )
            else:
                target.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, target / origin.name)

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    words = pip_install_command()
    # the same command, its image paths (/src) pointed at the copied context
    arguments = [str(image_root / word.lstrip("/")) if word.startswith("/") else word for word in words[2:]]
    installed = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", *arguments],
        capture_output=True,
        text=True,
        check=False,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr

    entrypoint = json.loads(only("ENTRYPOINT")[0])
    executable, *rest = entrypoint
    started = subprocess.run(
        [str(venv / "bin" / executable), *rest, "--help"], capture_output=True, text=True, check=False
    )
    assert started.returncode == 0, started.stdout + started.stderr
    assert "--peering-priority" in started.stdout and "--hub-port" in started.stdout
    # the dev tools stay out
    listed = subprocess.run(
        [str(venv / "bin" / "pip"), "list", "--format=json"], capture_output=True, text=True, check=True
    )
    names = {entry["name"].lower() for entry in json.loads(listed.stdout)}
    assert "onex-infra-operator" in names and "kopf" in names
    assert not names & {"pytest", "mypy", "ruff", "hypothesis"}


def _make_dry_run(target: str) -> subprocess.CompletedProcess[str]:
    """`make -n TARGET` as from a shell: under `make test` the outer make's flags would make the
    inner one print "Entering directory" lines."""
    environment = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    return subprocess.run(
        ["make", "--no-print-directory", "-n", target],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    )


def test_make_image_and_kind_e2e_commands() -> None:
    """`make image` tags the image with pyproject's version; `make kind-e2e` loads that tag and
    installs the chart with it (printed with -n: neither can run without a container engine)."""
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    image = _make_dry_run("image")
    assert image.stdout.split() == ["docker", "build", "-t", f"onex-infra-operator:{version}", "."]
    kind = _make_dry_run("kind-e2e")
    printed = kind.stdout
    assert "--config kind-config.yaml" in printed
    assert f"load docker-image onex-infra-operator:{version}" in printed
    assert "charts/onex-infra-operator" in printed and f"image.tag={version}" in printed
