"""How a plan reads: diff-like text, a summary line, JSON, and the exit code it means."""

from __future__ import annotations

import json
from uuid import uuid4

import pytest

from onex_operator.contracts.model_validation_issue import ModelValidationIssue
from onex_operator.errors import InfraConnectionError, ModelInfraErrorContext, sanitize
from onex_operator.models.enum_infra_transport_type import EnumInfraTransportType
from onex_operator.models.enum_managed_kind import EnumManagedKind
from onex_operator.models.enum_management_policy import EnumManagementPolicy
from onex_operator.nodes.kafka_adapter.enum_topic_change_kind import EnumTopicChangeKind
from onex_operator.nodes.kafka_adapter.model_topic_change import ModelTopicChange
from onex_operator.nodes.vault_adapter.enum_secret_change_kind import EnumSecretChangeKind
from onex_operator.nodes.vault_adapter.model_secret_change import ModelSecretChange
from onex_operator.planning.enum_plan_verdict import EnumPlanVerdict
from onex_operator.planning.model_plan_error import ModelPlanError
from onex_operator.planning.model_plan_report import ModelPlanReport
from onex_operator.planning.model_plan_step import ModelPlanStep
from onex_operator.planning.model_resource_plan import ModelResourcePlan
from onex_operator.planning.model_skipped_document import ModelSkippedDocument
from onex_operator.planning.render import render_json, render_text

pytestmark = pytest.mark.unit

_K = EnumTopicChangeKind
CREATE = ModelTopicChange(kind=_K.CREATE, topic="t", partitions=6, config={"retention.ms": "604800000"})
GROW = ModelTopicChange(kind=_K.ADD_PARTITIONS, topic="t", partitions=6, old_value="3")
SET = ModelTopicChange(
    kind=_K.SET_CONFIG, topic="t", config_key="retention.ms", old_value="1000", new_value="604800000"
)
SET_NEW = ModelTopicChange(kind=_K.SET_CONFIG, topic="t", config_key="cleanup.policy", new_value="compact")
REMOVE = ModelTopicChange(kind=_K.DELETE_CONFIG, topic="t", config_key="segment.ms", old_value="100")


def _plan(verdict: EnumPlanVerdict, name: str = "t", **fields: object) -> ModelResourcePlan:
    changes = fields.get("changes", [])
    assert isinstance(changes, list)
    return ModelResourcePlan.model_validate(
        {
            "kind": EnumManagedKind.KAFKA_TOPIC,
            "file": "topics.yaml",
            "document": 1,
            "namespace": "team",
            "name": name,
            "external": f"topic {name}",
            "management_policy": EnumManagementPolicy.MANAGE,
            "verdict": verdict,
            "connection": "team/default",
            "creates": any(change.kind is _K.CREATE for change in changes),
            **fields,
        }
    )


def _report(*plans: ModelResourcePlan, **fields: object) -> ModelPlanReport:
    return ModelPlanReport.model_validate(
        {
            "correlation_id": uuid4(),
            "connections": "each resource's spec.connectionRef",
            "resources": plans,
            **fields,
        }
    )


def _error() -> ModelPlanError:
    context = ModelInfraErrorContext(
        transport_type=EnumInfraTransportType.KAFKA, operation="describe_topics", target_name="b:9092/t"
    )
    return ModelPlanError.of(
        InfraConnectionError("Kafka describe_topics failed: all brokers down", context=context)
    )


def test_changes_read_like_a_diff() -> None:
    text = render_text(
        _report(
            _plan(EnumPlanVerdict.CHANGES, "new", changes=[CREATE]),
            _plan(EnumPlanVerdict.CHANGES, changes=[GROW, SET, SET_NEW, REMOVE]),
        )
    )
    assert (
        "+ KafkaTopic team/new -> topic new on team/default  [topics.yaml, document 1]\n"
        "    + create topic t (partitions 6, replication factor broker default)\n"
        '        retention.ms = "604800000"\n'
    ) in text
    assert (
        "~ KafkaTopic team/t -> topic t on team/default  [topics.yaml, document 1]\n"
        "    + add partitions: 3 -> 6\n"
        '    ~ set retention.ms: "1000" -> "604800000"\n'
        '    ~ set cleanup.policy: (default) -> "compact"\n'
        '    - remove segment.ms (was "100"; the broker default applies)\n'
    ) in text
    assert text.endswith("Plan: 1 to create, 1 to change, 0 in sync. Nothing was written.")


def test_blocked_resources_say_why() -> None:
    text = render_text(
        _report(
            _plan(
                EnumPlanVerdict.REFUSED,
                "r",
                refusals=["partitions cannot decrease: topic r has 6, spec asks for 3"],
            ),
            _plan(
                EnumPlanVerdict.CONFLICT,
                "c",
                conflict="topic c already exists",
                ownership="nobody records it",
            ),
            _plan(EnumPlanVerdict.ERROR, "e", error=_error()),
            _plan(EnumPlanVerdict.IN_SYNC, "s"),
        )
    )
    assert "    ! refuse: partitions cannot decrease: topic r has 6, spec asks for 3\n" in text
    assert "    ! conflict: topic c already exists\n      ownership: nobody records it\n" in text
    assert "    ! error InfraConnectionError: Kafka describe_topics failed: all brokers down\n" in text
    assert "      operation describe_topics, target b:9092/t, correlation id " in text
    assert (
        "= KafkaTopic team/s -> topic s on team/default  [topics.yaml, document 1]\n    = in sync\n" in text
    )
    assert text.endswith(
        "Plan: 0 to create, 0 to change, 1 in sync, 1 refused, 1 conflict, 1 error. Nothing was written."
    )


def test_observe_drift_is_marked_as_never_applied() -> None:
    text = render_text(_report(_plan(EnumPlanVerdict.DRIFT, changes=[SET])))
    assert "    managementPolicy Observe: reported as drift, never applied\n" in text
    assert "1 drift (Observe)" in text


def test_skipped_invalid_and_notes_are_listed() -> None:
    report = _report(
        skipped=[ModelSkippedDocument(file="a.yaml", document=0, resource="Namespace/team")],
        invalid=[
            ModelValidationIssue(
                file="a.yaml", document=2, resource="KafkaTopic/x", path="spec.partitions", message="bad"
            )
        ],
        notes=["a note"],
    )
    text = render_text(report)
    assert "skipped (no plan for this kind): a.yaml: document 0 (Namespace/team)\n" in text
    assert "invalid: a.yaml: document 2 (KafkaTopic/x): spec.partitions: bad\n" in text
    assert "note: a note\n" in text
    assert text.endswith("1 skipped, 1 invalid. Nothing was written.")


@pytest.mark.parametrize(
    ("plans", "fields", "code"),
    [
        ([], {}, 0),
        ([_plan(EnumPlanVerdict.IN_SYNC)], {}, 0),
        ([_plan(EnumPlanVerdict.DRIFT, changes=[SET])], {}, 0),
        ([_plan(EnumPlanVerdict.CHANGES, changes=[SET])], {}, 2),
        (
            [_plan(EnumPlanVerdict.CHANGES, changes=[SET]), _plan(EnumPlanVerdict.REFUSED, refusals=["no"])],
            {},
            1,
        ),
        ([_plan(EnumPlanVerdict.CONFLICT, conflict="taken")], {}, 1),
        ([_plan(EnumPlanVerdict.ERROR, error=_error())], {}, 1),
        (
            [_plan(EnumPlanVerdict.CHANGES, changes=[SET])],
            {"invalid": [ModelValidationIssue(file="a", message="m")]},
            1,
        ),
        ([], {"error": _error()}, 1),
    ],
)
def test_exit_codes(plans: list[ModelResourcePlan], fields: dict[str, object], code: int) -> None:
    assert _report(*plans, **fields).exit_code == code


def test_json_is_machine_readable() -> None:
    report = _report(
        _plan(EnumPlanVerdict.CHANGES, changes=[SET]), _plan(EnumPlanVerdict.ERROR, "e", error=_error())
    )
    parsed = json.loads(render_json(report))
    assert parsed["exit_code"] == 1
    assert parsed["summary"]["change"] == 1
    first, second = parsed["resources"]
    assert first["verdict"] == "changes"
    assert first["changes"][0] == {
        "kind": "set-config",
        "topic": "t",
        "partitions": None,
        "replication_factor": None,
        "config_key": "retention.ms",
        "old_value": "1000",
        "new_value": "604800000",
        "config": {},
    }
    assert first["descriptions"] == ["set retention.ms on t: '1000' -> '604800000'"]
    assert second["error"]["error_class"] == "InfraConnectionError"


def _secret_plan(verdict: EnumPlanVerdict, name: str, **fields: object) -> ModelResourcePlan:
    return ModelResourcePlan.model_validate(
        {
            "kind": EnumManagedKind.VAULT_SECRET,
            "file": "secrets.yaml",
            "document": 0,
            "namespace": "team",
            "name": name,
            "external": f"secret secret/app/{name}",
            "management_policy": EnumManagementPolicy.MANAGE,
            "verdict": verdict,
            "connection": "team/vault",
            **fields,
        }
    )


def test_every_kind_reads_alike_and_the_summary_counts_each() -> None:
    changes = [
        ModelPlanStep(text="record ownership in custom_metadata"),
        ModelSecretChange(kind=EnumSecretChangeKind.ADD, key="password", generated=True),
        ModelSecretChange(kind=EnumSecretChangeKind.UPDATE, key="username"),
        ModelSecretChange(kind=EnumSecretChangeKind.REGENERATE, key="token", generated=True),
        ModelSecretChange(kind=EnumSecretChangeKind.REMOVE, key="old"),
        ModelPlanStep(text="sync Secret db-creds"),
    ]
    report = _report(
        _plan(EnumPlanVerdict.CHANGES, "new", changes=[CREATE]),
        _secret_plan(EnumPlanVerdict.CHANGES, "db", changes=changes),
        _secret_plan(EnumPlanVerdict.CHANGES, "fresh", creates=True, changes=changes[1:2]),
        _secret_plan(EnumPlanVerdict.CONFLICT, "taken", conflict="secret/app/taken exists"),
    )
    text = render_text(report)
    assert (
        "~ VaultSecret team/db -> secret secret/app/db on team/vault  [secrets.yaml, document 0]\n"
        "    record ownership in custom_metadata\n"
        "    + password (generated)\n"
        "    ~ username (value differs)\n"
        "    ~ token (regenerated)\n"
        "    - old\n"
        "    sync Secret db-creds\n"
    ) in text
    assert "+ VaultSecret team/fresh -> secret secret/app/fresh on team/vault" in text
    assert "! VaultSecret team/taken -> secret secret/app/taken on team/vault" in text
    assert text.endswith(
        "Plan: 2 to create (1 KafkaTopic, 1 VaultSecret), 1 to change (1 VaultSecret), 0 in sync, "
        "1 conflict (1 VaultSecret). Nothing was written."
    )
    # the sanitizer at the exit finds nothing that looks like a secret (a JSON key "VaultSecret" would)
    assert sanitize(text) == text
    assert sanitize(render_json(report)) == render_json(report)
    parsed = json.loads(render_json(report))
    assert parsed["summary"]["create"] == 2
    assert [share["kind"] for share in parsed["summary_by_kind"]] == ["KafkaTopic", "VaultSecret"]
    assert parsed["summary_by_kind"][1]["counts"] == {
        "create": 1,
        "change": 1,
        "in_sync": 0,
        "drift": 0,
        "refused": 0,
        "conflict": 1,
        "error": 0,
    }
    db = parsed["resources"][1]
    assert db["changes"][:2] == [
        {"kind": "step", "text": "record ownership in custom_metadata"},
        {"kind": "add", "key": "password", "generated": True},
    ]
    assert db["descriptions"][1:3] == ["+ password (generated)", "~ username (value differs)"]
