"""Whether a custom resource lives in a namespace or in the whole cluster."""

from enum import StrEnum


class EnumResourceScope(StrEnum):
    NAMESPACED = "Namespaced"
    CLUSTER = "Cluster"
