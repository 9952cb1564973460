"""The operator's in-memory helpers: TTL cache of lookups and the resource index with its groups."""

from __future__ import annotations

import asyncio

import pytest

from onex_operator.nodes.kafka_adapter.claims import claim_key
from onex_operator.runtime.resource_index import ResourceIndex
from onex_operator.runtime.ttl_cache import TtlCache

pytestmark = pytest.mark.unit


async def test_concurrent_misses_share_one_load_and_failures_are_not_cached() -> None:
    loads = 0

    async def load() -> str:
        nonlocal loads
        loads += 1
        await asyncio.sleep(0.01)
        return "value"

    cache: TtlCache[str] = TtlCache(ttl_seconds=60)
    assert await asyncio.gather(*(cache.get("k", load) for _ in range(10))) == ["value"] * 10
    assert loads == 1

    async def fail() -> str:
        raise ConnectionError("down")

    with pytest.raises(ConnectionError):
        await cache.get("other", fail)
    assert await cache.get("other", load) == "value"


def _topic(uid: str, name: str, topic: str | None = None, namespace: str = "ns") -> dict[str, object]:
    spec: dict[str, object] = {"topicName": topic} if topic else {}
    return {"metadata": {"uid": uid, "name": name, "namespace": namespace}, "spec": spec}


def test_groups_follow_topic_and_connection() -> None:
    index = ResourceIndex(claim_key)
    index.upsert("a", _topic("a", "orders", "t1"), first_check_after=0)
    index.upsert("b", _topic("b", "other", "t1"), first_check_after=0)
    index.upsert("c", _topic("c", "t1"), first_check_after=0)  # topic defaults to metadata.name
    index.upsert("d", _topic("d", "x", "t1", namespace="elsewhere"), first_check_after=0)
    assert {b["metadata"]["uid"] for b in index.group_of(_topic("z", "any", "t1"))} == {"a", "b", "c"}  # type: ignore[index]

    index.upsert("b", _topic("b", "other", "t2"), first_check_after=0)  # renamed: leaves the group
    index.remove("c")
    assert [b["metadata"]["uid"] for b in index.group_of(_topic("z", "any", "t1"))] == ["a"]  # type: ignore[index]


def test_due_and_schedule() -> None:
    index = ResourceIndex(claim_key)
    index.upsert("a", _topic("a", "orders"), first_check_after=0)
    index.upsert("b", _topic("b", "later"), first_check_after=3600)
    assert [uid for uid, _ in index.due()] == ["a"]
    index.schedule("a", 3600)
    assert index.due() == []
