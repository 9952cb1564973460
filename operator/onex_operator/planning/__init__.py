"""`onex-infra plan`: what the operator would change for the KafkaTopic and VaultSecret resources in
files, against the live services, without writing anything. Every resource goes through its kind's
own operator adapter (connect, inputs, observe, ownership, the pure plan); this package only loads,
reads the cluster's live resources, and renders."""
