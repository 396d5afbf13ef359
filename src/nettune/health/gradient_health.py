"""Gradient health from sampled per-layer gradient norms: vanishing, exploding, and imbalance across layers.

Each (sample, layer) norm is scored on a log scale, so 1e-6 and 1e-3 are judged by orders of magnitude
rather than by absolute size. Averaging over samples means a layer that explodes on 10% of steps loses
10%, instead of being hidden by a median.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nettune.health.result import MetricResult, clip01, unmeasured

VANISHING = 1e-7  # at or below: the layer is not learning (score 0)
VANISHING_OK = 1e-5  # at or above: fine; log-linear ramp in between
EXPLODING_OK = 1e1  # at or below: fine
EXPLODING = 1e2  # at or above: the layer is blowing up (score 0); log-linear ramp in between
RATIO_OK = 1e3  # largest/smallest layer norm up to here is normal layer-to-layer variation
RATIO_BAD = 1e5  # at or beyond: gradients die out (or blow up) through the depth of the network


def norm_score(norms: np.ndarray) -> np.ndarray:
    """Score each gradient norm in [0, 1]: 1 inside [1e-5, 1e1], 0 at <= 1e-7 or >= 1e2 or non-finite."""
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log10(norms)
    low = np.clip((logs - np.log10(VANISHING)) / np.log10(VANISHING_OK / VANISHING), 0.0, 1.0)
    high = np.clip((np.log10(EXPLODING) - logs) / np.log10(EXPLODING / EXPLODING_OK), 0.0, 1.0)
    score = low * high
    return np.where(np.isfinite(norms), score, 0.0)  # inf (a NaN/inf gradient) scores 0


def gradient_health(norms: np.ndarray, layer_names: Sequence[str]) -> MetricResult:
    """(0.5 * mean layer score + 0.5 * worst layer score) * ratio_factor.

    layer score  = mean over samples of norm_score(norm)      (NaN entries = not measured, skipped)
    ratio        = median over samples of max/min finite positive layer norm
    ratio_factor = 1 at ratio <= 1e3, 0 at >= 1e5, linear in log10 between
    Half the weight on the worst layer: one layer that cannot learn breaks the whole network.
    """
    matrix = np.asarray(norms, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] == 0 or matrix.shape[1] == 0:
        return unmeasured(samples=0.0)
    measured = ~np.isnan(matrix)
    counts = measured.sum(axis=0)
    scores = np.where(measured, norm_score(np.where(measured, matrix, 1.0)), 0.0)
    layer_scores = scores.sum(axis=0) / np.maximum(counts, 1)
    valid = counts > 0
    if not valid.any():
        return unmeasured(samples=float(matrix.shape[0]))
    per_layer = {name: float(s) for name, s, ok in zip(layer_names, layer_scores, valid, strict=True) if ok}
    mean_score, worst = float(layer_scores[valid].mean()), float(layer_scores[valid].min())

    ratio = _median_layer_ratio(matrix)
    ratio_factor = clip01(1.0 - (np.log10(max(ratio, 1.0)) - np.log10(RATIO_OK)) / np.log10(RATIO_BAD / RATIO_OK))
    finite_typical = np.array([np.median(col[np.isfinite(col)]) for col in matrix.T if np.isfinite(col).any()])
    return MetricResult(
        clip01((0.5 * mean_score + 0.5 * worst) * ratio_factor),
        details={
            "samples": float(matrix.shape[0]),
            "mean_layer_score": mean_score,
            "worst_layer_score": worst,
            "layer_ratio": ratio,
            "ratio_factor": ratio_factor,
            "non_finite_share": float(np.isinf(matrix).any(axis=1).mean()),
            "smallest_median_norm": float(finite_typical.min()) if finite_typical.size else float("nan"),
            "largest_median_norm": float(finite_typical.max()) if finite_typical.size else float("nan"),
        },
        per_layer=per_layer,
    )


def _median_layer_ratio(matrix: np.ndarray) -> float:
    """Median over samples of the largest/smallest finite positive layer norm (1 when < 2 layers)."""
    usable = np.isfinite(matrix) & (matrix > 0)
    high = np.where(usable, matrix, -np.inf).max(axis=1)
    low = np.where(usable, matrix, np.inf).min(axis=1)
    rows = usable.sum(axis=1) >= 2
    if not rows.any():
        return 1.0
    return float(np.median(high[rows] / low[rows]))
