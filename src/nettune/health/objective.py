"""The value a trial reports to the optimizer: plain accuracy, or accuracy blended with health."""

from __future__ import annotations

import math

from nettune.config import DEFAULT_HEALTH_WEIGHT
from nettune.config import MODES as OBJECTIVE_MODES
from nettune.errors import ConfigError


def objective_value(
    mode: str, val_accuracy: float, health: float | None, health_weight: float = DEFAULT_HEALTH_WEIGHT
) -> float:
    """simple: val_accuracy. health: (1 - w) * val_accuracy + w * health, the "total score".

    Both inputs are in [0, 1], so the total score is too and it stays comparable with plain accuracy.
    """
    if mode not in OBJECTIVE_MODES:
        raise ConfigError(f"objective mode must be one of {', '.join(OBJECTIVE_MODES)}, got {mode!r}")
    if not (isinstance(health_weight, int | float) and math.isfinite(health_weight) and 0 <= health_weight <= 1):
        raise ConfigError(f"health weight must be between 0 and 1, got {health_weight!r}")
    if mode == "simple":
        return float(val_accuracy)
    if health is None:
        # Not a user mistake: the caller skipped compute_health, which always yields a score.
        raise ValueError("objective mode 'health' needs a health score; call compute_health first")
    return (1.0 - health_weight) * float(val_accuracy) + health_weight * float(health)
