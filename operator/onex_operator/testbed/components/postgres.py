"""A private PostgreSQL cluster (Debian's packages) with password (scram-sha-256) authentication.

PostgreSQL refuses to run as root, so when the test-bed runs as root the cluster runs as the
unprivileged `postgres` user that the Debian package creates, in a directory that user owns.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import subprocess
from pathlib import Path

import asyncpg

from onex_operator.testbed.components.base import TestbedContext
from onex_operator.testbed.errors import TestbedError
from onex_operator.testbed.http_probe import ProbeFailedError, port_open
from onex_operator.testbed.obtain import ensure_debian_package
from onex_operator.testbed.processes import ModelLaunch
from onex_operator.testbed.settings import POSTGRES_MAJOR

_SUPERUSER = "postgres"
_SERVICE_USER = "postgres"


def _find_postgres_bin() -> Path | None:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), reverse=True)
    return candidates[0].parent if candidates else None


class PostgresComponent:
    name = "postgres"
    depends_on: tuple[str, ...] = ()

    def __init__(self, context: TestbedContext) -> None:
        self._context = context
        self._port = context.settings.ports.postgres
        self._dir = context.settings.postgres_dir

    @property
    def _data(self) -> Path:
        return self._dir / "data"

    def _bin(self) -> Path:
        found = _find_postgres_bin()
        if found is None:
            raise TestbedError(self.name, "PostgreSQL server programs are not installed")
        return found

    def _run_as(self) -> str | None:
        return _SERVICE_USER if os.geteuid() == 0 else None

    def ports(self) -> list[int]:
        return [self._port]

    def obtain(self) -> None:
        ensure_debian_package(
            self.name,
            f"postgresql-{POSTGRES_MAJOR}",
            _find_postgres_bin,
            self._context.settings.cache_dir,
            self._context.progress,
        )

    def prepare(self) -> None:
        owner = self._run_as()
        self._dir.mkdir(parents=True, exist_ok=True)
        (self._dir / "socket").mkdir(exist_ok=True)
        if owner is not None:
            account = pwd.getpwnam(owner)
            for path in (self._dir, self._dir / "socket"):
                os.chown(path, account.pw_uid, account.pw_gid)
        self._dir.chmod(0o700)
        if (self._data / "PG_VERSION").exists():
            return
        password_file = self._dir / "superuser-password"
        password_file.write_text(self._context.credentials.postgres_superuser_password + "\n")
        password_file.chmod(0o600)
        if owner is not None:
            account = pwd.getpwnam(owner)
            os.chown(password_file, account.pw_uid, account.pw_gid)
        try:
            result = subprocess.run(
                [
                    str(self._bin() / "initdb"),
                    "-D",
                    str(self._data),
                    "-U",
                    _SUPERUSER,
                    f"--pwfile={password_file}",
                    "--auth-local=scram-sha-256",
                    "--auth-host=scram-sha-256",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                ],
                capture_output=True,
                text=True,
                check=False,
                user=owner,
                group=owner,
                extra_groups=[] if owner else None,
                cwd=self._dir,
            )
        finally:
            password_file.unlink()
        if result.returncode != 0:
            shutil.rmtree(self._data, ignore_errors=True)
            raise TestbedError(self.name, f"initdb failed: {result.stdout}{result.stderr}")

    def launch(self) -> ModelLaunch:
        return ModelLaunch(
            command=[
                str(self._bin() / "postgres"),
                "-D",
                str(self._data),
                "-p",
                str(self._port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                f"unix_socket_directories={self._dir / 'socket'}",
                # throw-away data: skip durability work that only slows tests down
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=200",
            ],
            cwd=self._dir,
            run_as_user=self._run_as(),
            stop_signal=2,  # SIGINT is PostgreSQL's "fast" shutdown; SIGTERM waits for every client
        )

    async def _superuser_query(self, query: str) -> str:
        connection = await asyncpg.connect(
            host="127.0.0.1",
            port=self._port,
            user=_SUPERUSER,
            database="postgres",
            password=self._context.credentials.postgres_superuser_password,
            timeout=3,
        )
        try:
            return str(await connection.fetchval(query))
        finally:
            await connection.close()

    def probe(self) -> str:
        if not port_open(self._port):
            raise ProbeFailedError(f"nothing listens on port {self._port} yet")
        try:
            return asyncio.run(self._superuser_query("SHOW server_version"))
        except (OSError, asyncpg.PostgresError, TimeoutError) as error:
            raise ProbeFailedError(f"PostgreSQL does not accept the superuser yet: {error}") from error

    async def _ensure_role_and_database(self) -> None:
        credentials = self._context.credentials
        connection = await asyncpg.connect(
            host="127.0.0.1",
            port=self._port,
            user=_SUPERUSER,
            database="postgres",
            password=credentials.postgres_superuser_password,
            timeout=5,
        )
        try:
            role_exists = await connection.fetchval(
                "SELECT 1 FROM pg_roles WHERE rolname = $1", credentials.postgres_user
            )
            role = _identifier(credentials.postgres_user)
            # the password is a literal in DDL (no bind parameters there); it is generated
            # URL-safe, so it never contains a quote
            password = credentials.postgres_password.replace("'", "''")
            if role_exists:
                await connection.execute(f"ALTER ROLE {role} WITH LOGIN PASSWORD '{password}'")
            else:
                await connection.execute(
                    f"CREATE ROLE {role} WITH LOGIN CREATEDB CREATEROLE PASSWORD '{password}'"
                )
            database_exists = await connection.fetchval(
                "SELECT 1 FROM pg_database WHERE datname = $1", credentials.postgres_database
            )
            if not database_exists:
                await connection.execute(
                    f"CREATE DATABASE {_identifier(credentials.postgres_database)} OWNER {role}"
                )
        finally:
            await connection.close()

    def after_ready(self) -> None:
        asyncio.run(self._ensure_role_and_database())

    def client_env(self) -> dict[str, str]:
        credentials = self._context.credentials
        return {
            "PGHOST": "127.0.0.1",
            "PGPORT": str(self._port),
            "PGUSER": credentials.postgres_user,
            "PGPASSWORD": credentials.postgres_password,
            "PGDATABASE": credentials.postgres_database,
        }


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
