"""ORCHESTRATOR node: dependsOn gating and cycle detection across the managed kinds."""
