"""VaultSecret across operator restarts, with this file's own operators (the session's operator is
untouched): a generated value survives a restart, the rotate annotation is handled when it changes,
and a SIGKILL in the middle of 100 VaultSecrets loses nothing and regenerates nothing."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from kubernetes.client import ApiClient

from tests.conftest import RunningTestbed
from tests.e2e.conftest import GROUP, VERSION, Cluster, running_operator, wait_until
from tests.e2e.vault_helpers import (
    KIND,
    KV2,
    PLURAL,
    ROTATE,
    Bao,
    annotate,
    events,
    own_cluster,
    status_of,
    use_vault,
    wait_data,
    wait_ready,
)

pytestmark = pytest.mark.e2e
PREFIX = "e2e-vrst-"
COUNT = 100
KILL_AFTER_SECRETS = 25  # some Ready, some written but not recorded, some not yet seen
NO_DRIFT = "1h"  # the operator never looks by itself: what happens, happens because of an event


@pytest.fixture
def restart_cluster(api: ApiClient, testbed: RunningTestbed, bao: Bao) -> Iterator[Cluster]:
    """A namespace only the test's own operators watch (by its exact name: a namespace of an
    earlier test, still terminating, is nobody's business here)."""
    with own_cluster(api, testbed, PREFIX) as cluster:
        use_vault(cluster, bao, bao.child_token())
        yield cluster


def generated_spec(path: str, index: int = 0) -> dict[str, object]:
    return {
        "path": path,
        "data": [{"key": "user", "value": f"user-{index}"}, {"key": "password", "generate": {"length": 32}}],
    }


def test_generated_value_survives_an_operator_restart(
    restart_cluster: Cluster, testbed: RunningTestbed, bao: Bao, kv_root: str, tmp_path: Path
) -> None:
    cluster, path = restart_cluster, f"{kv_root}/restarted"
    spec = generated_spec(path)
    with running_operator(testbed, tmp_path, cluster.namespace, "3s", "2s"):
        cluster.apply(PLURAL, KIND, "restarted", spec)
        wait_ready(cluster, "restarted")
    first = bao.data(KV2, path)
    assert first is not None

    # changed while no operator runs: the next one must reconcile it, keeping the generated value
    data = spec["data"]
    assert isinstance(data, list)
    cluster.apply(PLURAL, KIND, "restarted", {**spec, "data": [*data, {"key": "db", "value": "orders"}]})
    with running_operator(testbed, tmp_path, cluster.namespace, "3s", "2s") as second:
        wait_data(bao, path, {**first, "db": "orders"})
        wait_ready(cluster, "restarted")
        assert "restarted" in second.log()
    assert len({version["password"] for version in bao.versions(path).values()}) == 1


def test_rotate_annotation_is_handled_when_it_changes(
    restart_cluster: Cluster, testbed: RunningTestbed, bao: Bao, kv_root: str, tmp_path: Path
) -> None:
    """With no drift check for an hour, only the change of the annotation can start the rotation;
    it is an update the user asked for, announced as such, not a corrected drift."""
    cluster, path = restart_cluster, f"{kv_root}/rotate-now"
    with running_operator(testbed, tmp_path, cluster.namespace, NO_DRIFT, "2s") as operator:
        cluster.apply(PLURAL, KIND, "rotate-now", generated_spec(path))
        wait_ready(cluster, "rotate-now")
        before = bao.data(KV2, path)
        assert before is not None

        annotate(cluster, "rotate-now", ROTATE, "now")
        wait_until(
            lambda: status_of(cluster, "rotate-now").get("rotation") == "now",
            30,
            lambda: (
                "the change of the rotate annotation was not handled (a drift check would have "
                f"found it, an hour later): {status_of(cluster, 'rotate-now')}\n{operator.log()[-3000:]}"
            ),
        )
        after = bao.data(KV2, path)
        assert after is not None and after["password"] != before["password"]
        reasons = [reason for reason, message in events(cluster, "rotate-now") if "regenerated" in message]
        assert reasons == ["Updated"], events(cluster, "rotate-now")


def test_sigkill_mid_reconcile_then_restart_converges(
    restart_cluster: Cluster, testbed: RunningTestbed, bao: Bao, kv_root: str, tmp_path: Path
) -> None:
    cluster = restart_cluster
    paths = {f"s{index:03d}": f"{kv_root}/s{index:03d}" for index in range(COUNT)}
    applied: list[str] = []
    apply_errors: list[BaseException] = []

    def apply_all() -> None:
        try:
            for index, (name, path) in enumerate(paths.items()):
                cluster.apply(PLURAL, KIND, name, generated_spec(path, index))
                applied.append(name)
        except Exception as error:  # noqa: BLE001 - re-raised by the test thread
            apply_errors.append(error)

    with running_operator(testbed, tmp_path, cluster.namespace, "3s", "2s") as first:
        applier = threading.Thread(target=apply_all, name="apply-100")
        applier.start()
        # kill once a quarter of the secrets exist: writes to Vault, status writes and resources
        # not yet seen are all in flight at that moment
        deadline = time.monotonic() + 60
        while (
            len(bao.list(kv_root)) < KILL_AFTER_SECRETS
            and time.monotonic() < deadline
            and first.process.poll() is None
        ):
            time.sleep(0.05)
        first.stop(kill=True)
        assert first.process.returncode == -9, (
            f"the operator ended before the kill ({first.process.returncode}):\n{first.log()[-3000:]}"
        )
        applier.join(timeout=120)
    assert not apply_errors, apply_errors
    assert len(applied) == COUNT

    # what the killed operator left: every generated value it wrote, by path (one per secret)
    at_kill = {name: generated_values(bao, path) for name, path in paths.items()}
    written = {name: values for name, values in at_kill.items() if values}
    assert written, f"the first operator wrote no secret in 60 s:\n{first.log()[-3000:]}"
    assert all(len(values) == 1 for values in written.values()), "regenerated before the kill"
    ready_at_kill = ready_count(cluster)[0]
    # the keyed hash of a secret that did not change stays the same for the next operator
    hashes_at_kill = {
        item["metadata"]["name"]: item["status"]["dataHash"]
        for item in cluster.objects.list_namespaced_custom_object(GROUP, VERSION, cluster.namespace, PLURAL)[
            "items"
        ]
        if (item.get("status") or {}).get("dataHash")
    }
    assert ready_at_kill < COUNT, "the kill came after everything was done; nothing was interrupted"
    print(f"at the kill: {len(written)} secrets with data in OpenBao, {ready_at_kill} resources Ready")

    with running_operator(testbed, tmp_path, cluster.namespace, "3s", "2s") as second:
        wait_until(
            lambda: ready_count(cluster)[0] == COUNT,
            120,
            lambda: f"not all converged: {ready_count(cluster)[1][:10]}\n{second.log()[-4000:]}",
        )
    items = cluster.objects.list_namespaced_custom_object(GROUP, VERSION, cluster.namespace, PLURAL)["items"]
    uids = {item["metadata"]["name"]: item["metadata"]["uid"] for item in items}
    hashes = {item["metadata"]["name"]: item["status"]["dataHash"] for item in items}
    changed = sorted(name for name, value in hashes_at_kill.items() if hashes[name] != value)
    assert not changed, f"dataHash changed with the operator, not the data: {changed}"
    for index, (name, path) in enumerate(paths.items()):
        secret = bao.read(KV2, path)
        assert secret is not None, f"{name}: nothing in OpenBao"
        assert secret.data["user"] == f"user-{index}", name
        assert secret.custom_metadata.get("owner-uid") == uids[name], (name, secret.custom_metadata)
        values = generated_values(bao, path)
        assert len(values) == 1, f"{name}: the generated value changed ({len(values)} values in its versions)"
        if name in written:
            assert values == written[name], (
                f"{name}: the generated value written before the kill was replaced"
            )
    conflicts = [
        e
        for e in cluster.core.list_namespaced_event(cluster.namespace).items
        if e.reason == "ResourceConflict"
    ]
    assert not conflicts, [(e.involved_object.name, e.message) for e in conflicts]


def generated_values(bao: Bao, path: str) -> set[str]:
    """The generated value in every version of the secret (one element when it never changed)."""
    return {version["password"] for version in bao.versions(path).values() if "password" in version}


def ready_count(cluster: Cluster) -> tuple[int, list[str]]:
    """How many are Ready for their generation, and the Ready reasons of the others."""
    items = cluster.objects.list_namespaced_custom_object(GROUP, VERSION, cluster.namespace, PLURAL)["items"]
    ready, others = 0, []
    for item in items:
        conditions = (item.get("status") or {}).get("conditions") or []
        condition = next((c for c in conditions if c.get("type") == "Ready"), {})
        current = condition.get("observedGeneration") == item["metadata"]["generation"]
        if condition.get("status") == "True" and current:
            ready += 1
        else:
            others.append(f"{item['metadata']['name']}: {condition.get('reason')}")
    return ready, others
