"""The operator's container as a plan uses it: the same adapters and client pools, over a
Kubernetes API that only reads, with a hash key that is never created (a plan never shows a hash)."""

from __future__ import annotations

from onex_operator.container import ONEXContainer
from onex_operator.kube.api import KubeApi
from onex_operator.runtime.hash_key import HashKeySource
from onex_operator.runtime.settings import ModelOperatorSettings


class PlanContainer(ONEXContainer):
    def __init__(self, kube: KubeApi) -> None:
        """`kube`: over a client guarded by planning.kube_access (read-only, or not consulted)."""
        settings = ModelOperatorSettings()
        super().__init__(settings, kube)
        self.hash_key = HashKeySource(
            self.kube, settings.operator_namespace, settings.hash_key_secret, read_only=True
        )
