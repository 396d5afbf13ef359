"""compute_health end to end: report shape, JSON round trip, and degenerate runs that must not raise."""

from __future__ import annotations

import json
import math

import pytest
import torch
from torch import nn

from nettune.health import METRIC_NAMES, METRIC_WEIGHTS, NEUTRAL_SCORE, HealthMonitor, HealthReport, compute_health
from nettune.training.hooks import TrainContext


def data(n: int = 352) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(3)
    x = torch.randn(n, 8, generator=gen)
    return x, (x[:, 0] > 0).long() + (x[:, 1] > 0).long()


def mlp() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 3))


def report_for(monitor: HealthMonitor, result) -> HealthReport:
    return compute_health(
        monitor, val_accuracy=result.val_accuracy, train_accuracy=result.train_accuracy, param_count=result.param_count
    )


def test_healthy_run_report_is_complete_and_consistent(train):
    monitor = HealthMonitor()
    result = train(mlp(), *data(), [monitor], epochs=3, lr=0.3)
    report = report_for(monitor, result)

    assert list(report.metrics) == list(METRIC_NAMES)
    assert all(0.0 <= v <= 1.0 for v in report.metrics.values())
    assert report.overall == pytest.approx(sum(METRIC_WEIGHTS[k] * v for k, v in report.metrics.items()))
    assert report.unmeasured == []
    assert result.val_accuracy > 0.6  # it did learn, so the run should look healthy
    assert report.metrics["training_stability"] > 0.7 and report.metrics["gradient_health"] > 0.9
    assert report.overfitting_gap == pytest.approx(result.train_accuracy - result.val_accuracy)
    assert [row.name for row in report.per_layer] == ["0", "2"]
    assert report.summary.startswith(("Healthy", "Some concerns"))
    assert len(monitor.epochs) == 3 and monitor.last_val_correct.shape == (64,)
    assert [row["epoch"] for row in monitor.epoch_history] == [1, 2, 3]
    assert monitor.epoch_history[-1]["val_accuracy"] == result.val_accuracy


def test_json_round_trip(train):
    monitor = HealthMonitor()
    report = report_for(monitor, train(mlp(), *data(), [monitor], epochs=2))
    text = json.dumps(report.to_dict(), allow_nan=False)
    assert HealthReport.from_dict(json.loads(text)) == report


def test_non_finite_values_become_null_in_json_and_nan_back():
    report = HealthReport(
        metrics=dict.fromkeys(METRIC_NAMES, 0.5),
        overall=0.5,
        overfitting_gap=math.nan,
        dead_fraction=0.0,
        saturated_fraction=0.0,
        per_layer=[],
        summary="s",
        details={"gradient_health": {"layer_ratio": math.inf}},
    )
    data_ = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert data_["overfitting_gap"] is None and data_["details"]["gradient_health"]["layer_ratio"] is None
    back = HealthReport.from_dict(data_)
    assert math.isnan(back.overfitting_gap) and math.isnan(back.details["gradient_health"]["layer_ratio"])


def test_diverged_run_scores_zero_stability_and_gradients(train):
    x, y = data()
    x[150:] = math.nan  # from the 10th batch on, the loss (and then every parameter) is NaN
    monitor = HealthMonitor(grad_every=1)
    result = train(mlp(), x, y, [monitor], epochs=2)
    report = report_for(monitor, result)

    assert math.isnan(monitor.losses[-1])
    assert report.metrics["training_stability"] == 0.0
    assert report.metrics["gradient_health"] == 0.0
    assert report.metrics["convergence_quality"] == 0.0  # validation loss is NaN too
    assert all(0.0 <= v <= 1.0 for v in report.metrics.values()) and 0.0 <= report.overall <= 1.0
    assert "NaN/inf at step 10" in report.summary
    json.dumps(report.to_dict(), allow_nan=False)


def test_run_without_batches_still_reports():
    model = mlp()
    monitor = HealthMonitor()
    monitor.on_train_start(TrainContext(model, torch.device("cpu"), 1, 0, torch.randn(16, 8)))
    report = compute_health(monitor, val_accuracy=0.0, train_accuracy=0.0, param_count=387)
    # Only unit activity (probed once at finalize) and efficiency can be judged.
    assert set(report.unmeasured) == {
        "training_stability",
        "gradient_health",
        "convergence_quality",
        "accuracy_consistency",
    }
    assert all(report.metrics[name] == NEUTRAL_SCORE for name in report.unmeasured)
    assert report.per_layer[0].units == 32 and report.per_layer[0].grad_norm_mean is None
    assert "Not measured" in report.summary


def test_monitor_never_attached_still_reports():
    report = compute_health(HealthMonitor(), val_accuracy=0.5, train_accuracy=0.5, param_count=10)
    assert len(report.unmeasured) == 5 and report.per_layer == []
    assert 0.0 <= report.overall <= 1.0


def test_single_epoch_gets_neutral_convergence(train):
    monitor = HealthMonitor()
    report = report_for(monitor, train(mlp(), *data(), [monitor], epochs=1))
    assert report.unmeasured == ["convergence_quality"]
    assert report.metrics["convergence_quality"] == NEUTRAL_SCORE
    assert "convergence_quality" in report.summary
