"""ONEX nodes: EFFECT adapters per service, the reducer and the orchestrator."""
