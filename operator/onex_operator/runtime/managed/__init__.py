"""The managed-resource reconciler shared by every kind: a kind brings only an adapter."""
