"""kopf handlers for KafkaTopic: spec changes reconcile, watch events feed the index, a finalizer
honours deletionPolicy. Drift is the sweep's job (runtime/sweeper.py), not a per-resource timer."""

from __future__ import annotations

import logging
from uuid import uuid4

import kopf

from onex_operator.container import ONEXContainer
from onex_operator.errors import EnumRetryPolicy, ProtocolConfigurationError, RuntimeHostError
from onex_operator.kube.api import GROUP, VERSION, JsonObject
from onex_operator.models.enum_deletion_policy import EnumDeletionPolicy
from onex_operator.models.enum_management_policy import EnumManagementPolicy
from onex_operator.models.model_kafka_topic_spec import ModelKafkaTopicSpec
from onex_operator.nodes.kafka_adapter.claims import topic_name_of
from onex_operator.nodes.kafka_adapter.connection import kafka_client_config
from onex_operator.runtime.kafka_topic_reconciler import (
    PLURAL,
    SLOW_RETRY_SECONDS,
    KafkaTopicReconciler,
    ReconcileReport,
)

_log = logging.getLogger("onex.kafkatopic")
MAX_BACKOFF_SECONDS = 60.0


def retry_delay(report: ReconcileReport, retry: int) -> float | None:
    if report.retry_policy is EnumRetryPolicy.BACKOFF:
        return float(min(2 ** min(retry, 6), MAX_BACKOFF_SECONDS))
    if report.retry_policy is EnumRetryPolicy.SLOW:
        return SLOW_RETRY_SECONDS
    return None


def register(
    registry: kopf.OperatorRegistry, container: ONEXContainer, reconciler: KafkaTopicReconciler
) -> None:
    @kopf.on.event(GROUP, VERSION, PLURAL, registry=registry)
    async def index_kafka_topic(type: str | None, body: kopf.Body, **_: object) -> None:
        uid = str(body.get("metadata", {}).get("uid", ""))
        if type == "DELETED":
            container.kafka_topics.remove(uid)
            container.forget(uid)
        else:
            container.kafka_topics.upsert(uid, _plain(body), container.settings.retry_interval_seconds)

    @kopf.on.resume(GROUP, VERSION, PLURAL, registry=registry)
    @kopf.on.create(GROUP, VERSION, PLURAL, registry=registry)
    @kopf.on.update(GROUP, VERSION, PLURAL, field="spec", registry=registry)
    async def reconcile_kafka_topic(body: kopf.Body, reason: str, retry: int, **_: object) -> None:
        report = await reconciler.reconcile(_plain(body), trigger=str(reason))
        delay = retry_delay(report, retry)
        if delay is not None:
            raise kopf.TemporaryError("not Ready yet; status.conditions say why", delay=delay)

    @kopf.on.delete(GROUP, VERSION, PLURAL, registry=registry)
    async def delete_kafka_topic(body: kopf.Body, retry: int, **_: object) -> None:
        await _delete(container, _plain(body), retry)


async def _delete(container: ONEXContainer, body: JsonObject, retry: int) -> None:
    meta = body.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    namespace, name = str(meta.get("namespace", "")), str(meta.get("name", ""))
    try:
        spec = ModelKafkaTopicSpec.model_validate(body.get("spec") or {})
    except ValueError:
        return  # an invalid spec never created anything
    status = container.statuses.current(str(meta.get("uid", "")), body)
    topic = topic_name_of(body)
    claimed = status.get("topicName") == topic
    if (
        spec.deletion_policy is not EnumDeletionPolicy.DELETE
        or spec.management_policy is EnumManagementPolicy.OBSERVE
    ):
        _log.info(
            "%s/%s: deletionPolicy %s, topic %s kept", namespace, name, spec.deletion_policy.value, topic
        )
        return
    if not claimed or _claimed_by_other(container, body):
        _log.info("%s/%s: topic %s was never this resource's; not deleted", namespace, name, topic)
        return
    correlation_id = uuid4()
    try:
        label, config = await kafka_client_config(
            container.kube, namespace, spec.connection_ref, correlation_id
        )
        await container.kafka_admin(label, config).delete(topic, correlation_id)
    except ProtocolConfigurationError as error:
        # the connection is gone (deleting a namespace removes it too): blocking the deletion
        # forever helps nobody, and keeping the topic is the safe side
        _log.warning(
            "%s %s/%s: topic %s kept, it cannot be reached to delete it: %s",
            correlation_id,
            namespace,
            name,
            topic,
            error.message,
        )
        return
    except RuntimeHostError as error:
        _log.warning(
            "%s %s/%s: deleting topic %s failed: %s", correlation_id, namespace, name, topic, error.message
        )
        raise kopf.TemporaryError(
            error.message, delay=float(min(2 ** min(retry, 6), MAX_BACKOFF_SECONDS))
        ) from error
    _log.info("%s %s/%s: topic %s deleted (deletionPolicy Delete)", correlation_id, namespace, name, topic)


def _claimed_by_other(container: ONEXContainer, body: JsonObject) -> bool:
    """Another resource owns the topic (recorded its id): deleting it here would take theirs."""
    meta = body.get("metadata")
    uid = meta.get("uid") if isinstance(meta, dict) else None
    for other in container.kafka_topics.group_of(body):
        other_meta, other_status = other.get("metadata"), other.get("status")
        other_is_owner = isinstance(other_status, dict) and bool(other_status.get("topicId"))
        if isinstance(other_meta, dict) and other_meta.get("uid") != uid and other_is_owner:
            return True
    return False


_METADATA_KEPT = ("name", "namespace", "uid", "generation", "creationTimestamp", "deletionTimestamp")


def _plain(body: kopf.Body) -> JsonObject:
    """A detached copy of what reconciling needs: kopf's Body is a live view that changes under our
    feet, and managedFields and kopf's annotations are most of an object's size."""
    metadata = body.get("metadata", {})
    return {
        "apiVersion": body.get("apiVersion"),
        "kind": body.get("kind"),
        "metadata": {key: _copy(metadata[key]) for key in _METADATA_KEPT if key in metadata},
        "spec": _copy(body.get("spec", {})),
        "status": _copy(body.get("status", {})),
    }


def _copy(value: object) -> object:
    if isinstance(value, dict):
        return {str(k): _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
