"""REDUCER node: a reconcile's outcome -> the resource's status and conditions (pure)."""
