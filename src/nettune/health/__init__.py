"""Model health: record cheap training signals with a trainer hook, then score them.

    monitor = HealthMonitor()                 # pass to the trainer's hooks
    ...train...
    report = compute_health(monitor, val_accuracy=..., train_accuracy=..., param_count=...)
    score = objective_value("health", val_accuracy, report.overall, health_weight=0.3)

Metric formulas and how to read them: docs/health.md.
"""

from nettune.health.catalog import METRIC_DOCS, METRIC_NAMES, METRIC_WEIGHTS, NEUTRAL_SCORE
from nettune.health.compute import compute_health, overall_health
from nettune.health.monitor import HealthMonitor
from nettune.health.objective import DEFAULT_HEALTH_WEIGHT, OBJECTIVE_MODES, objective_value
from nettune.health.report import HealthReport, LayerHealth

__all__ = [
    "DEFAULT_HEALTH_WEIGHT",
    "METRIC_DOCS",
    "METRIC_NAMES",
    "METRIC_WEIGHTS",
    "NEUTRAL_SCORE",
    "OBJECTIVE_MODES",
    "HealthMonitor",
    "HealthReport",
    "LayerHealth",
    "compute_health",
    "objective_value",
    "overall_health",
]
