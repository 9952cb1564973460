"""Everything needed to talk to one Kafka cluster. The password never leaves the process: it is
registered for redaction when resolved and excluded from repr."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from onex_operator.models.enum_kafka_sasl_mechanism import EnumKafkaSaslMechanism
from onex_operator.models.enum_kafka_security_protocol import EnumKafkaSecurityProtocol


class ModelKafkaClientConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    bootstrap_servers: tuple[str, ...]
    security_protocol: EnumKafkaSecurityProtocol
    sasl_mechanism: EnumKafkaSaslMechanism | None = None
    sasl_username: str | None = None
    sasl_password: str | None = Field(default=None, repr=False)

    @property
    def target(self) -> str:
        return ",".join(self.bootstrap_servers)

    def librdkafka(self) -> dict[str, str]:
        settings = {
            "bootstrap.servers": self.target,
            "security.protocol": self.security_protocol.value,
        }
        if self.sasl_mechanism is not None:
            settings["sasl.mechanism"] = self.sasl_mechanism.value
            settings["sasl.username"] = self.sasl_username or ""
            settings["sasl.password"] = self.sasl_password or ""
        return settings
