"""The operator's own Kubernetes reads and status writes (kopf drives the watches)."""
