"""onex-infra-operator: declarative Kafka, Consul, Vault/OpenBao and PostgreSQL for Kubernetes."""
