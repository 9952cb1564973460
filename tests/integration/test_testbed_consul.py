"""The test-bed's Consul enforces ACLs: a token registers services, no token is denied."""

from __future__ import annotations

import uuid
from urllib.parse import urlparse

import consul
import pytest

from tests.conftest import RunningTestbed

pytestmark = pytest.mark.integration


def _client(testbed: RunningTestbed, token: str | None) -> consul.Consul:
    address = urlparse(testbed.env["CONSUL_HTTP_ADDR"])
    return consul.Consul(host=address.hostname, port=address.port, scheme=address.scheme, token=token)


def test_register_and_deregister_with_a_token(testbed: RunningTestbed) -> None:
    agent = _client(testbed, testbed.env["CONSUL_HTTP_TOKEN"])
    service_id = f"testbed-{uuid.uuid4().hex[:8]}"
    agent.agent.service.register(
        "testbed-probe", service_id=service_id, address="127.0.0.1", port=8080, tags=["probe"]
    )
    assert service_id in agent.agent.services()
    agent.agent.service.deregister(service_id)
    assert service_id not in agent.agent.services()


def test_request_without_token_is_denied(testbed: RunningTestbed) -> None:
    anonymous = _client(testbed, None)
    with pytest.raises(consul.ACLPermissionDenied):
        anonymous.agent.service.register("testbed-denied", service_id=f"denied-{uuid.uuid4().hex[:8]}")
