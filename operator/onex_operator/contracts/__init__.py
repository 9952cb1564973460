"""Node contracts: loader, validator and generator (contract -> CRD schema, -> typed models)."""
