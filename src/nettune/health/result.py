"""The value every metric function returns: a score in [0, 1] plus the numbers behind it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from nettune.health.catalog import NEUTRAL_SCORE


@dataclass(frozen=True)
class MetricResult:
    score: float  # in [0, 1], higher is healthier
    measured: bool = True  # False: no data to judge, score is NEUTRAL_SCORE
    details: dict[str, float] = field(default_factory=dict)  # the intermediate numbers, for the summary/UI
    per_layer: dict[str, float] = field(default_factory=dict)  # layer name -> score, where it applies


def unmeasured(**details: float) -> MetricResult:
    return MetricResult(NEUTRAL_SCORE, measured=False, details=dict(details))


def clip01(value: float) -> float:
    """Clamp to [0, 1]; NaN (a score computed from nothing usable) becomes 0 rather than leaking out."""
    if math.isnan(value):
        return 0.0
    return min(1.0, max(0.0, value))
