"""`onex-infra plan`: what the operator would change for KafkaTopic resources in files, against the
live Kafka cluster, without writing anything. Uses the operator's own pure plan (kafka_adapter.plan)
and ownership rules (kafka_adapter.reconcile); this package only loads, observes and renders."""
