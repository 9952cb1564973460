"""Install (create or replace) the CustomResourceDefinitions of a directory, as `kubectl apply` would
for objects the caller owns. Used by the demo, the e2e tests and the benchmarks."""

from __future__ import annotations

from pathlib import Path

import yaml
from kubernetes import client
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException


def install_crds(api: ApiClient, directory: Path) -> list[str]:
    """Every CRD in `directory`'s YAML files, created or replaced; returns their names."""
    extensions = client.ApiextensionsV1Api(api)
    installed: list[str] = []
    for path in sorted(directory.glob("*.yaml")):
        for crd in yaml.safe_load_all(path.read_text()):
            if not isinstance(crd, dict) or crd.get("kind") != "CustomResourceDefinition":
                continue
            name = str(crd["metadata"]["name"])
            try:
                # the client serialises a plain dict body as it is
                extensions.create_custom_resource_definition(crd)  # type: ignore[arg-type]
            except ApiException as error:
                if error.status != 409:
                    raise
                current = extensions.read_custom_resource_definition(name)
                crd["metadata"]["resourceVersion"] = (
                    current.metadata.resource_version if current.metadata else None
                )
                extensions.replace_custom_resource_definition(name, crd)  # type: ignore[arg-type]
            installed.append(name)
    return installed
