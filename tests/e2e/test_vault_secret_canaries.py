"""Values that must never leave the operator: a source Secret's value, generated values, a value
found in Vault and the Vault tokens (the working one and a refused one). None may appear in status,
Events, the operator's log (debug level included) or what its hub serves."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from kubernetes.client import ApiClient

from tests.conftest import RunningTestbed
from tests.e2e.conftest import GROUP, VERSION, Cluster, running_operator, wait_until
from tests.e2e.vault_helpers import (
    KIND,
    KV2,
    PLURAL,
    TOKEN_KEY,
    TOKEN_SECRET,
    Bao,
    events,
    own_cluster,
    secret_data,
    status_of,
    token_auth,
    use_vault,
    vault_connection,
    wait_data,
    wait_ready,
    wait_ready_reason,
)

pytestmark = pytest.mark.e2e
PREFIX = "e2e-vcan-"


@pytest.fixture
def canary_cluster(api: ApiClient, testbed: RunningTestbed, bao: Bao) -> Iterator[Cluster]:
    with own_cluster(api, testbed, PREFIX) as cluster:
        use_vault(cluster, bao, bao.child_token())
        yield cluster


def forms(value: str) -> set[str]:
    """The value as it could appear: plain, JSON-escaped, URL-encoded."""
    return {value, json.dumps(value)[1:-1], quote(value, safe="")}


def test_canary_values_never_leave_the_operator(
    canary_cluster: Cluster, testbed: RunningTestbed, bao: Bao, kv_root: str, tmp_path: Path
) -> None:
    cluster, path = canary_cluster, f"{kv_root}/canary"
    source = f"canary-source-{uuid.uuid4().hex}-P@ss:w0rd/+%"
    tampered = f"canary-tampered-{uuid.uuid4().hex}"
    refused_token = f"s.canary{uuid.uuid4().hex}"
    cluster.put_secret("canary-source", {"api-key": source})
    cluster.put_secret("refused-credentials", {"token": refused_token})
    vault_connection(cluster, "refused", bao, token_auth("refused-credentials", "token"))
    spec = {
        "path": path,
        "data": [
            {"key": "api-key", "valueFrom": {"secretKeyRef": {"name": "canary-source", "key": "api-key"}}},
            {"key": "password", "generate": {"length": 48, "charset": "ascii-printable"}},
            {"key": "pin", "generate": {"length": 12, "charset": "hex"}},
            {"key": "user", "value": "canary_user"},
        ],
        "target": {"name": "canary"},
    }
    refused_path = f"{kv_root}/refused"
    with running_operator(
        testbed, tmp_path, cluster.namespace, "3s", "2s", extra_args=["--verbose"]
    ) as operator:
        cluster.apply(PLURAL, KIND, "canary", spec)
        cluster.apply(
            PLURAL,
            KIND,
            "refused",
            {
                "path": refused_path,
                "connectionRef": {"kind": "InfraConnection", "name": "refused"},
                "data": [
                    {
                        "key": "api-key",
                        "valueFrom": {"secretKeyRef": {"name": "canary-source", "key": "api-key"}},
                    }
                ],
            },
        )
        wait_ready(cluster, "canary")
        wait_ready_reason(cluster, "refused", "InfraAuthenticationError")
        written = bao.data(KV2, path)
        assert written is not None and written["api-key"] == source

        # a value found in Vault (written behind the operator's back) is corrected, never echoed
        bao.write(KV2, path, {**written, "api-key": tampered})
        wait_data(bao, path, written)
        wait_until(
            lambda: bool(events(cluster, "canary", "DriftCorrected")),
            15,
            lambda: f"no DriftCorrected Event: {events(cluster, 'canary')}",
        )
        assert secret_data(cluster, "canary") == written
        # every log line of a reconcile carries its correlation id: the refused one has been logged
        refused = status_of(cluster, "refused").get("lastError") or {}
        assert isinstance(refused, dict)
        wait_until(
            lambda: str(refused.get("correlationId")) in operator.log(),
            30,
            lambda: f"the refused reconcile ({refused}) never reached the log",
        )
        listed = [
            item
            for plural in (PLURAL, "infraconnections")
            for item in cluster.objects.list_namespaced_custom_object(
                GROUP, VERSION, cluster.namespace, plural
            )["items"]
        ]
        haystacks = {
            "operator log": operator.log(),
            "Events": json.dumps(
                [event.to_dict() for event in cluster.core.list_namespaced_event(cluster.namespace).items],
                default=str,
            ),
            "status": json.dumps([item.get("status") for item in listed]),
            "annotations": json.dumps([item["metadata"].get("annotations") for item in listed]),
            "/metrics": operator.get("/metrics")[1],
            "/services": operator.get("/services")[1],
            "/nodes": operator.get("/nodes")[1],
        }
    token = secret_data(cluster, TOKEN_SECRET)
    assert token is not None
    canaries = {
        "source value": source,
        "generated password": written["password"],
        "generated pin": written["pin"],
        "value found in Vault": tampered,
        "Vault token": token[TOKEN_KEY],
        "refused Vault token": refused_token,
    }
    assert "DriftCorrected" in haystacks["Events"] and "InfraAuthenticationError" in haystacks["Events"]
    leaks = sorted(
        {
            f"{label} holds the {which}"
            for which, secret in canaries.items()
            for form in forms(secret)
            for label, text in haystacks.items()
            if form in text
        }
    )
    assert not leaks, leaks
