"""compute_health: turn what a HealthMonitor recorded into a HealthReport.

Never raises on a degenerate run (no batches, NaN losses, one epoch): every metric has a defined value for
missing or broken data, so a failed trial still gets a report that says what went wrong.
"""

from __future__ import annotations

import math

import numpy as np

from nettune.health.activity import pooled_fractions
from nettune.health.catalog import METRIC_NAMES, METRIC_WEIGHTS
from nettune.health.gradient_health import gradient_health
from nettune.health.layers import build_layers
from nettune.health.metrics import (
    accuracy_consistency,
    convergence_quality,
    neuron_utilization,
    parameter_efficiency,
)
from nettune.health.monitor import HealthMonitor
from nettune.health.report import HealthReport
from nettune.health.result import MetricResult
from nettune.health.stability import training_stability
from nettune.health.summary import write_summary


def compute_health(
    monitor: HealthMonitor, *, val_accuracy: float, train_accuracy: float, param_count: int
) -> HealthReport:
    monitor.finalize()
    losses = np.asarray(monitor.losses, dtype=np.float64)
    stability = training_stability(losses)
    gradients = gradient_health(monitor.grad_norms, monitor.grad_layer_names)
    if not np.all(np.isfinite(losses)):
        # A diverged loss means the gradients were unusable, whatever the sampled norms happened to show.
        gradients = MetricResult(0.0, details={**gradients.details, "non_finite_loss": 1.0})
    results: dict[str, MetricResult] = {
        "neuron_utilization": neuron_utilization(monitor.activity),
        "parameter_efficiency": parameter_efficiency(val_accuracy, param_count, monitor.output_dim),
        "training_stability": stability,
        "gradient_health": gradients,
        "convergence_quality": convergence_quality([epoch.val_loss for epoch in monitor.epochs]),
        "accuracy_consistency": accuracy_consistency(monitor.last_val_correct.numpy()),
    }
    metrics = {name: float(results[name].score) for name in METRIC_NAMES}
    overall = overall_health(metrics)
    unmeasured = [name for name in METRIC_NAMES if not results[name].measured]
    gap = float(train_accuracy) - float(val_accuracy)
    layers = build_layers(
        monitor.grad_layer_names,
        monitor.grad_layer_kinds,
        monitor.grad_norms,
        monitor.activity,
        gradients.per_layer,
    )
    summary, issues = write_summary(overall, results, layers, gap, unmeasured)
    dead, saturated = pooled_fractions(monitor.activity)
    return HealthReport(
        metrics=metrics,
        overall=overall,
        overfitting_gap=gap if math.isfinite(gap) else math.nan,
        dead_fraction=dead,
        saturated_fraction=saturated,
        per_layer=layers,
        summary=summary,
        issues=issues,
        unmeasured=unmeasured,
        details={name: {k: float(v) for k, v in results[name].details.items()} for name in METRIC_NAMES},
    )


def overall_health(metrics: dict[str, float]) -> float:
    """sum_i w_i * m_i with the METRIC_WEIGHTS (they sum to 1)."""
    total = sum(METRIC_WEIGHTS[name] * metrics[name] for name in METRIC_NAMES)
    return min(1.0, max(0.0, total / sum(METRIC_WEIGHTS.values())))
