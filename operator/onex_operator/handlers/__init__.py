"""Thin kopf glue, one module per kind."""
