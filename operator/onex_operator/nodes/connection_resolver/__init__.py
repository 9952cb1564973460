"""EFFECT node resolving a resource's connection (InfraConnection or an allowed
ClusterInfraConnection) and its credentials (Secrets in the resource's own namespace only)."""
