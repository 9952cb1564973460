from __future__ import annotations

from collections.abc import Callable

import pytest

from onex_operator.runtime.metrics import OperatorMetrics

pytestmark = pytest.mark.unit


def lines(metrics: OperatorMetrics) -> list[str]:
    body, _ = metrics.render()
    return body.decode().splitlines()


def test_reconcile_counts_by_kind_and_result_and_times_the_duration() -> None:
    metrics = OperatorMetrics()
    metrics.observe_reconcile("KafkaTopic", "success", 0.2)
    metrics.observe_reconcile("KafkaTopic", "success", 3.0)
    metrics.observe_reconcile("KafkaTopic", "conflict", 0.01)

    rendered = lines(metrics)
    assert 'onex_reconciles_total{kind="KafkaTopic",result="success"} 2.0' in rendered
    assert 'onex_reconciles_total{kind="KafkaTopic",result="conflict"} 1.0' in rendered
    assert 'onex_reconcile_duration_seconds_count{kind="KafkaTopic"} 3.0' in rendered
    assert 'onex_reconcile_duration_seconds_bucket{kind="KafkaTopic",le="0.25"} 2.0' in rendered
    assert 'onex_reconcile_duration_seconds_bucket{kind="KafkaTopic",le="+Inf"} 3.0' in rendered


def test_errors_admin_requests_and_drift_corrections_are_counted() -> None:
    metrics = OperatorMetrics()
    metrics.count_error("KafkaTopic", "InfraConnectionError")
    metrics.count_admin_request("kafka", "describe_configs")
    metrics.count_admin_request("kafka", "describe_configs")
    metrics.count_drift_correction("KafkaTopic")

    rendered = lines(metrics)
    assert 'onex_errors_total{error_class="InfraConnectionError",kind="KafkaTopic"} 1.0' in rendered
    assert 'onex_admin_requests_total{operation="describe_configs",transport="kafka"} 2.0' in rendered
    assert 'onex_drift_corrections_total{kind="KafkaTopic"} 1.0' in rendered


def test_managed_resources_replace_every_ready_state_of_a_kind() -> None:
    metrics = OperatorMetrics()
    metrics.set_managed("KafkaTopic", {"True": 5, "False": 2, "Unknown": 1})
    metrics.set_managed("KafkaTopic", {"True": 8})
    metrics.set_managed("ConsulService", {"False": 1})

    rendered = lines(metrics)
    assert 'onex_managed_resources{kind="KafkaTopic",ready="True"} 8.0' in rendered
    assert 'onex_managed_resources{kind="KafkaTopic",ready="False"} 0.0' in rendered
    assert 'onex_managed_resources{kind="KafkaTopic",ready="Unknown"} 0.0' in rendered
    assert 'onex_managed_resources{kind="ConsulService",ready="False"} 1.0' in rendered


def test_each_instance_has_its_own_registry() -> None:
    first, second = OperatorMetrics(), OperatorMetrics()
    first.observe_reconcile("KafkaTopic", "error", 1.0)

    assert 'onex_reconciles_total{kind="KafkaTopic",result="error"} 1.0' in lines(first)
    assert not any(line.startswith("onex_reconciles_total{") for line in lines(second))


def test_render_uses_the_prometheus_text_format() -> None:
    _, content_type = OperatorMetrics().render()
    assert content_type.startswith("text/plain; version=0.0.4")


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.observe_reconcile("KafkaTopic", "finished", 1.0),
        lambda m: m.observe_reconcile("orders-topic", "success", 1.0),
        lambda m: m.count_error("KafkaTopic", "broker refused password=hunter2"),
        lambda m: m.count_admin_request("kafka", "describe configs of orders"),
        lambda m: m.count_drift_correction(""),
        lambda m: m.set_managed("KafkaTopic", {"Maybe": 1}),
    ],
    ids=["unknown-result", "resource-name", "message", "free-text", "empty", "ready-state"],
)
def test_unbounded_label_values_are_refused(call: Callable[[OperatorMetrics], None]) -> None:
    metrics = OperatorMetrics()
    with pytest.raises(ValueError):
        call(metrics)
    assert not any(line.startswith("onex_") and "{" in line for line in lines(metrics))
