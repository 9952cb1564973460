"""The one kopf registration every kind shares: spec changes (and the user's request annotations)
reconcile, watch events feed the kind's index, a finalizer honours deletionPolicy, and changes of
the Secrets that resources read requeue them. Drift is the sweep's job (runtime/sweeper.py)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import kopf

from onex_operator.errors import EnumRetryPolicy, RuntimeHostError
from onex_operator.kube.api import GROUP, VERSION
from onex_operator.runtime.managed.adapter import InputsT, ObservedT, PlanT, SessionT, SpecT
from onex_operator.runtime.managed.envelope import ANNOTATION_PREFIX
from onex_operator.runtime.managed.reconciler import ManagedReconciler
from onex_operator.runtime.managed.results import ReconcileReport
from onex_operator.runtime.managed.usage import PLURALS, ConnectionUsage
from onex_operator.runtime.sweeper import ProtocolSwept

_log = logging.getLogger("onex.handlers")
MAX_BACKOFF_SECONDS = 60.0
SLOW_RETRY_SECONDS = 300.0
# annotations a user sets to ask for something once (a new value asks again)
REQUEST_ANNOTATIONS = ("rotate", "repair")


def backoff(retry: int) -> float:
    return float(min(2 ** min(retry, 6), MAX_BACKOFF_SECONDS))


def retry_delay(report: ReconcileReport, retry: int) -> float | None:
    if report.retry_policy is EnumRetryPolicy.BACKOFF:
        return backoff(retry)
    if report.retry_policy is EnumRetryPolicy.SLOW:
        return SLOW_RETRY_SECONDS
    return None


def register_kind(
    registry: kopf.OperatorRegistry, reconciler: ManagedReconciler[SpecT, SessionT, InputsT, ObservedT, PlanT]
) -> None:
    plural = reconciler.adapter.plural

    @kopf.on.event(GROUP, VERSION, plural, registry=registry, id=f"index-{plural}")
    async def index(type: str | None, body: kopf.Body, **_: object) -> None:
        if type == "DELETED":
            reconciler.gone(str(body.get("metadata", {}).get("uid", "")))
        else:
            reconciler.seen(reconciler.envelope(body))

    async def reconcile(body: kopf.Body, reason: str, retry: int, **_: object) -> None:
        report = await reconciler.reconcile(reconciler.envelope(body), trigger=str(reason))
        delay = retry_delay(report, retry)
        if delay is not None:
            raise kopf.TemporaryError("not Ready yet; status.conditions say why", delay=delay)

    handler_id = f"reconcile-{plural}"
    kopf.on.resume(GROUP, VERSION, plural, registry=registry, id=handler_id)(reconcile)
    kopf.on.create(GROUP, VERSION, plural, registry=registry, id=handler_id)(reconcile)
    kopf.on.update(GROUP, VERSION, plural, registry=registry, id=handler_id, field="spec")(reconcile)
    for name in REQUEST_ANNOTATIONS:
        kopf.on.update(
            GROUP,
            VERSION,
            plural,
            registry=registry,
            id=f"{name}-{plural}",
            field=["metadata", "annotations", ANNOTATION_PREFIX + name],
        )(reconcile)

    def deletes_on_removal(body: kopf.Body, **_: object) -> bool:
        # kopf keeps its finalizer only on resources this filter matches, and removes it when one
        # stops matching (policy changed to Retain, or the abandon annotation set while deleting)
        return reconciler.deletes_on_removal(reconciler.envelope(body))

    @kopf.on.delete(GROUP, VERSION, plural, registry=registry, id=f"delete-{plural}", when=deletes_on_removal)
    async def delete(body: kopf.Body, retry: int, **_: object) -> None:
        try:
            await reconciler.delete(reconciler.envelope(body))
        except RuntimeHostError as error:
            _log.warning(
                "%s %s: deleting failed: %s", plural, body.get("metadata", {}).get("name"), error.message
            )
            raise kopf.TemporaryError(error.message, delay=backoff(retry)) from error


def register_connection_watch(registry: kopf.OperatorRegistry, usage: ConnectionUsage) -> None:
    """Connections are not reconciled (yet): watched, so the ones in use are protected."""
    for kind, plural in PLURALS.items():

        async def connection_event(type: str | None, body: kopf.Body, kind: str = kind, **_: object) -> None:
            usage.connection_event(kind, type, body)

        kopf.on.event(GROUP, VERSION, plural, registry=registry, id=f"usage-{plural}")(connection_event)


def register_secret_watch(
    registry: kopf.OperatorRegistry, kinds: Sequence[ProtocolSwept], usage: ConnectionUsage
) -> None:
    """A changed, created or deleted Secret requeues the resources that read it, and the usage
    tracker learns which Secrets carry its finalizer. The initial listing (type None) is not a
    change: every resource is reconciled at resume anyway."""

    @kopf.on.event("", "v1", "secrets", registry=registry, id="secret-users")
    async def secret_event(type: str | None, body: kopf.Body, **_: object) -> None:
        usage.secret_event(type, body)
        if type is None:
            return
        metadata = body.get("metadata", {})
        namespace, name = str(metadata.get("namespace", "")), str(metadata.get("name", ""))
        requeued = sum(kind.secret_changed(namespace, name) for kind in kinds)
        if requeued:
            _log.info("Secret %s/%s %s: %d resource(s) requeued", namespace, name, type.lower(), requeued)
