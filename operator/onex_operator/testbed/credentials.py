"""Credentials of the test-bed: generated once per data set, kept in a file only the owner can read."""

from __future__ import annotations

import os
import secrets
import uuid
from pathlib import Path

from pydantic import BaseModel, ConfigDict


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
    )


def load_or_create_credentials(path: Path) -> ModelTestbedCredentials:
    if path.exists():
        return ModelTestbedCredentials.model_validate_json(path.read_text())
    credentials = generate_credentials()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(credentials.model_dump_json(indent=2))
    return credentials
