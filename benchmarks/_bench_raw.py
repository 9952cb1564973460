"""The baseline: the same topics created by a plain batched confluent-kafka AdminClient script, and
the topic clean-up both sides need."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future

from confluent_kafka.admin import AdminClient, NewTopic

OPERATION_TIMEOUT_SECONDS = 60.0


def admin_client(listener: str, environment: dict[str, str]) -> AdminClient:
    if listener == "plaintext":
        return AdminClient({"bootstrap.servers": environment["ONEX_KAFKA_BOOTSTRAP"]})
    return AdminClient(
        {
            "bootstrap.servers": environment["ONEX_KAFKA_SASL_BOOTSTRAP"],
            "security.protocol": "SASL_PLAINTEXT",
            "sasl.mechanism": environment["ONEX_KAFKA_SASL_MECHANISM"],
            "sasl.username": environment["ONEX_KAFKA_SASL_USERNAME"],
            "sasl.password": environment["ONEX_KAFKA_SASL_PASSWORD"],
        }
    )


def create_raw_topics(
    admin: AdminClient,
    names: list[str],
    *,
    partitions: int,
    replication_factor: int,
    config: dict[str, str],
    batch: int,
) -> None:
    """One CreateTopics request per `batch` topics, all in flight together; waits for every result
    (the broker answers once each topic is created, within the operation timeout)."""
    futures: list[Future[None]] = []
    for start in range(0, len(names), batch):
        new_topics = [
            NewTopic(name, num_partitions=partitions, replication_factor=replication_factor, config=config)
            for name in names[start : start + batch]
        ]
        created = admin.create_topics(
            new_topics, operation_timeout=OPERATION_TIMEOUT_SECONDS, request_timeout=OPERATION_TIMEOUT_SECONDS
        )
        futures.extend(created.values())
    for future in futures:
        future.result()


def existing_topics(admin: AdminClient, prefix: str) -> list[str]:
    listing = admin.list_topics(timeout=30)
    return sorted(name for name in listing.topics if name.startswith(prefix))


def delete_raw_topics(
    admin: AdminClient, prefix: str, say: Callable[[str], None], timeout: float = 300
) -> None:
    """Delete every topic whose name starts with `prefix` and wait until Kafka no longer lists them."""
    deadline = time.monotonic() + timeout
    next_report = time.monotonic() + 5
    while names := existing_topics(admin, prefix):
        if time.monotonic() > deadline:
            say(f"{len(names)} topics {prefix}* still listed after {timeout:.0f}s; leaving them")
            return
        for future in admin.delete_topics(names, operation_timeout=OPERATION_TIMEOUT_SECONDS).values():
            try:
                future.result()
            except Exception:  # noqa: BLE001 - already being deleted, or gone: the listing decides
                continue
        if time.monotonic() > next_report:
            say(f"  {len(names)} Kafka topics still being deleted")
            next_report = time.monotonic() + 5
        time.sleep(1)
