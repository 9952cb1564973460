"""The kinds `onex-infra plan` covers: each is its operator adapter, its presentation and how it
connects. A new kind is one more entry here (and a module beside this one)."""

from __future__ import annotations

from onex_operator.container import ONEXContainer
from onex_operator.nodes.consul_adapter.adapter import ConsulServiceAdapter
from onex_operator.nodes.kafka_adapter.adapter import KafkaTopicAdapter
from onex_operator.nodes.postgres_adapter.adapter import PostgresMigrationAdapter
from onex_operator.nodes.vault_adapter.adapter import VaultSecretAdapter
from onex_operator.planning.connectors import connector
from onex_operator.planning.kinds.consul_service import ConsulServicePresentation
from onex_operator.planning.kinds.kafka_topic import KafkaTopicPresentation, bootstrap_connect
from onex_operator.planning.kinds.postgres_migration import PostgresMigrationPresentation
from onex_operator.planning.kinds.vault_secret import VaultSecretPresentation
from onex_operator.planning.plan_kind import PlanKind, ProtocolPlanKind


def plan_kinds(
    container: ONEXContainer, named: tuple[str, str] | None, bootstrap: tuple[str, ...] | None
) -> list[ProtocolPlanKind]:
    """`named`: one InfraConnection for every resource; `bootstrap`: KafkaTopics on a PLAINTEXT
    broker (the other kinds then find no Kubernetes to read their connection from)."""
    kafka = KafkaTopicAdapter(container)
    kafka_connect = (
        bootstrap_connect(container, bootstrap) if bootstrap is not None else connector(kafka, named)
    )
    # one statement per kind: inferred from its adapter, not from the list's element type
    kafka_topics = PlanKind(kafka, KafkaTopicPresentation(), kafka_connect)
    vault = VaultSecretAdapter(container)
    vault_secrets = PlanKind(vault, VaultSecretPresentation(), connector(vault, named))
    # the adapter's connect: consul_client_config (the token from the connection's Secret) and the
    # container's one ConsulAgent per connection, which only reads here (services and checks)
    consul = ConsulServiceAdapter(container)
    consul_services = PlanKind(consul, ConsulServicePresentation(), connector(consul, named))
    # the history table is only read (no CREATE, no lock); a pool from the container
    postgres = PostgresMigrationAdapter(container)
    migrations = PlanKind(postgres, PostgresMigrationPresentation(), connector(postgres, named))
    return [kafka_topics, vault_secrets, consul_services, migrations]
