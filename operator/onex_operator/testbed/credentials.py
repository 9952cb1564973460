"""Credentials of the test-bed: generated once per data set, kept in a file only the owner can read."""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import uuid
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


def _approle_role_id() -> str:
    return str(uuid.uuid4())


def _approle_secret_id() -> str:
    return secrets.token_urlsafe(24)


class ModelTestbedCredentials(BaseModel):
    model_config = ConfigDict(frozen=True)

    kube_admin_token: str
    kafka_sasl_username: str
    kafka_sasl_password: str
    consul_management_token: str
    openbao_root_token: str
    postgres_superuser_password: str
    postgres_user: str
    postgres_password: str
    postgres_database: str
    # added later: a credentials file written before them gets them on its next load
    openbao_approle_role_id: str = Field(default_factory=_approle_role_id)
    openbao_approle_secret_id: str = Field(default_factory=_approle_secret_id)


def generate_credentials() -> ModelTestbedCredentials:
    return ModelTestbedCredentials(
        kube_admin_token=secrets.token_urlsafe(32),
        kafka_sasl_username="onex",
        kafka_sasl_password=secrets.token_urlsafe(24),
        consul_management_token=str(uuid.uuid4()),  # Consul ACL secrets must be UUIDs
        openbao_root_token=f"testbed-{secrets.token_urlsafe(18)}",
        postgres_superuser_password=secrets.token_urlsafe(24),
        postgres_user="onex",
        postgres_password=secrets.token_urlsafe(24),
        postgres_database="onex",
        openbao_approle_role_id=_approle_role_id(),
        openbao_approle_secret_id=_approle_secret_id(),
    )


def load_or_create_credentials(path: Path) -> ModelTestbedCredentials:
    path.parent.mkdir(parents=True, exist_ok=True)
    # several processes (test-bed, tests, demo) load at once: the first one writes, the rest read it
    with path.with_name(path.name + ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if path.exists():
                text = path.read_text()
                credentials = ModelTestbedCredentials.model_validate_json(text)
                if set(ModelTestbedCredentials.model_fields) - set(json.loads(text)):
                    _write(path, credentials)  # fields added since: keep the values generated now
                return credentials
            credentials = generate_credentials()
            _write(path, credentials)
            return credentials
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _write(path: Path, credentials: ModelTestbedCredentials) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(credentials.model_dump_json(indent=2))
