"""Four of the six health metrics: neuron utilization, parameter efficiency, convergence, consistency.

Each is a pure function of recorded numbers, so it can be tested without training anything. Training
stability and gradient health, which need more machinery, live in their own modules. Formulas and the
reasons for their constants are in docs/health.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from nettune.health.activity import UnitActivity, pooled_fractions
from nettune.health.result import MetricResult, clip01, unmeasured

# Parameter efficiency: models up to 10k parameters pay nothing; each further power of ten costs 0.15,
# so 100k -> 0.85, 1M -> 0.70, 10M -> 0.55, 100M -> 0.40.
EFFICIENCY_REFERENCE_PARAMS = 1e4
EFFICIENCY_COST_PER_DECADE = 0.15
# Convergence: moves smaller than 2% of the first validation loss count as noise, not as a trend.
CONVERGENCE_TOLERANCE = 0.02
# Consistency: validation set cut into this many contiguous shards, each of at least this many samples.
CONSISTENCY_SHARDS = 10
CONSISTENCY_MIN_SHARD = 10


def neuron_utilization(layers: Sequence[UnitActivity]) -> MetricResult:
    """1 - (dead units + saturated units) / all monitored units; per-layer scores in `per_layer`."""
    units = sum(layer.units for layer in layers)
    if units == 0:
        return unmeasured()
    useless = sum(int(layer.dead.sum() + layer.saturated.sum()) for layer in layers)
    per_layer = {
        layer.name: 1.0 - float(layer.dead.sum() + layer.saturated.sum()) / layer.units
        for layer in layers
        if layer.units
    }
    dead, saturated = pooled_fractions(list(layers))
    return MetricResult(
        clip01(1.0 - useless / units),
        details={"units": float(units), "dead_fraction": dead, "saturated_fraction": saturated},
        per_layer=per_layer,
    )


def parameter_efficiency(accuracy: float, param_count: int, num_classes: int | None = None) -> MetricResult:
    """Skill above chance times a size factor that falls with log10(params) beyond 10k.

    Using skill rather than raw accuracy is what keeps a tiny model that guesses from scoring well: at
    chance level it scores 0 however few parameters it has.
    """
    chance = 1.0 / max(num_classes, 2) if num_classes else 0.0
    skill = clip01((accuracy - chance) / (1.0 - chance)) if math.isfinite(accuracy) else 0.0
    decades = math.log10(max(param_count, 1) / EFFICIENCY_REFERENCE_PARAMS)
    size_factor = clip01(1.0 - EFFICIENCY_COST_PER_DECADE * max(decades, 0.0))
    return MetricResult(
        clip01(skill * size_factor),
        details={"skill": skill, "size_factor": size_factor, "chance": chance, "params": float(param_count)},
    )


def convergence_quality(val_losses: Sequence[float]) -> MetricResult:
    """Monotonicity of the validation loss times how close the last epoch is to the best one.

    monotonicity = (total fall + eps) / (total fall + total rise + 2 eps), eps = 2% of the first loss
    end_ratio    = (best + eps) / (last + eps)
    A single epoch has no trend: it is reported as unmeasured with the neutral score.
    """
    losses = np.asarray(val_losses, dtype=np.float64)
    if losses.size < 2:
        return unmeasured(epochs=float(losses.size))
    if not np.all(np.isfinite(losses)):
        return MetricResult(0.0, details={"epochs": float(losses.size), "non_finite": 1.0})
    eps = CONVERGENCE_TOLERANCE * max(abs(float(losses[0])), 1e-12)
    steps = np.diff(losses)
    fall = float(np.clip(-steps, 0.0, None).sum())
    rise = float(np.clip(steps, 0.0, None).sum())
    monotonicity = (fall + eps) / (fall + rise + 2.0 * eps)
    best, last = float(losses.min()), float(losses[-1])
    end_ratio = clip01((best + eps) / (last + eps)) if last + eps > 0 else 1.0
    return MetricResult(
        clip01(monotonicity * end_ratio),
        details={
            "epochs": float(losses.size),
            "monotonicity": monotonicity,
            "end_ratio": end_ratio,
            "best_epoch": float(int(losses.argmin()) + 1),
            "rise_after_best": last - best,
            "total_change": float(losses[0] - last),
            "tolerance": eps,
        },
    )


def accuracy_consistency(val_correct: Sequence[bool] | np.ndarray, shards: int = CONSISTENCY_SHARDS) -> MetricResult:
    """1 - excess spread of accuracy across contiguous validation shards, beyond binomial noise.

    V   = size-weighted variance of shard accuracies around the overall accuracy p
    E   = p(1-p)(K-1)/(N-1), what V would be if errors were scattered at random
    max = p(1-p)(N-K)/(N-1), the excess when every shard is all right or all wrong
    score = 1 - sqrt(max(0, V - E) / max)
    Subtracting E means a small validation set is not punished for noise the model did not cause.
    """
    correct = np.asarray(val_correct, dtype=bool).ravel()
    n = correct.size
    k = min(shards, n // CONSISTENCY_MIN_SHARD)
    if k < 2:
        return unmeasured(samples=float(n))
    p = float(correct.mean())
    parts = np.array_split(correct, k)
    accs = np.array([part.mean() for part in parts])
    sizes = np.array([part.size for part in parts], dtype=np.float64)
    details = {
        "samples": float(n),
        "shards": float(k),
        "shard_std": float(accs.std()),
        "shard_min": float(accs.min()),
        "shard_max": float(accs.max()),
    }
    spread = p * (1.0 - p)
    if spread == 0.0:
        return MetricResult(1.0, details=details)  # every sample right (or wrong): no spread at all
    observed = float((sizes * (accs - p) ** 2).sum() / n)
    expected = spread * (k - 1) / (n - 1)
    worst = spread * (n - k) / (n - 1)
    return MetricResult(clip01(1.0 - math.sqrt(max(0.0, observed - expected) / worst)), details=details)
