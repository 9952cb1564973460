"""Everything needed to open connections to one PostgreSQL database as one role.

Frozen and comparable: a changed password makes an unequal config, so the cached pool is replaced.
The password is a `SecretStr`: neither repr nor str shows it (equality still compares it).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from onex_operator.models.enum_postgres_ssl_mode import EnumPostgresSslMode

PoolKey = tuple[str, int, str, str, str]


class ModelPostgresClientConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = Field(min_length=1)
    port: int = Field(ge=1, le=65535)
    database: str = Field(min_length=1)
    user: str = Field(min_length=1)
    password: SecretStr
    ssl_mode: EnumPostgresSslMode = EnumPostgresSslMode.PREFER

    @property
    def key(self) -> PoolKey:
        """One pool per server, database, role and TLS mode (the password is not part of the key:
        a new password replaces the pool)."""
        return (self.host, self.port, self.database, self.user, self.ssl_mode.value)

    @property
    def target(self) -> str:
        """For error targets and logs: never the password."""
        return f"{self.user}@{self.host}:{self.port}/{self.database}"
