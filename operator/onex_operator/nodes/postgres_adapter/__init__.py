"""PostgresMigration: Flyway-grade migrations on the shared managed-resource reconciler."""
