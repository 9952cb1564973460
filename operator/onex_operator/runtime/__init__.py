"""The operator's process runtime: HTTP hub, metrics and health registries."""
