"""Training stability from the per-batch loss series: noise, spikes and upward drift around the trend.

The loss normally falls fast, so raw variance would mostly measure the learning curve. Instead the series
is detrended by a centered rolling median (which follows a monotone curve exactly and ignores isolated
spikes), and everything is scaled by the initial loss level so scores compare across datasets and
loss magnitudes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from nettune.health.result import MetricResult, clip01, unmeasured

MIN_BATCHES = 8  # fewer losses than this cannot separate noise from trend
SPIKE_MADS = 5.0  # a spike is a residual above 5 robust standard deviations...
SPIKE_FLOOR = 0.05  # ...and above 5% of the initial loss, so tiny bumps on a very smooth curve don't count
NOISE_SCALE = 0.25  # relative noise at which the noise factor is 0.5 (typical mini-batch noise: 0.05-0.15)
SPIKE_RATE_SCALE = 0.01  # spike rate at which the spike factor is 0.5 (1 spike per 100 batches)
DRIFT_SCALE = 0.25  # climb back above the lowest trend, as a share of initial loss, giving factor 0.5
_MAD_TO_STD = 1.4826  # MAD of a normal distribution times this is its standard deviation


def training_stability(losses: Sequence[float] | np.ndarray) -> MetricResult:
    """noise_factor * spike_factor * drift_factor, each 1 for a perfectly smooth falling loss.

    level  = median of the first 10% of losses (at least 5)
    resid  = loss - centered rolling median (window n/20, clipped to 5..25)
    noise  = 1.4826 * MAD(resid) / level          noise_factor = 1 / (1 + (noise / 0.25)^2)
    spikes = #{resid > max(5 * 1.4826 * MAD, 0.05 * level)}   spike_factor = 1 / (1 + (spikes/n) / 0.01)
    drift  = max(0, median(last 10%) - min(trend)) / level  drift_factor = 1 / (1 + (drift / 0.25)^2)
    Any NaN/inf loss scores 0: the run diverged.
    """
    series = np.asarray(losses, dtype=np.float64).ravel()
    n = series.size
    if n == 0:
        return unmeasured(batches=0.0)
    if not np.all(np.isfinite(series)):
        first_bad = int(np.flatnonzero(~np.isfinite(series))[0]) + 1
        return MetricResult(0.0, details={"batches": float(n), "first_non_finite_step": float(first_bad)})
    if n < MIN_BATCHES:
        return unmeasured(batches=float(n))

    edge = max(5, n // 10)
    level = max(float(np.median(np.abs(series[:edge]))), 1e-12)
    trend = rolling_median(series, window=int(np.clip(n // 20, 5, 25)))
    resid = series - trend
    sigma = _MAD_TO_STD * float(np.median(np.abs(resid - np.median(resid))))
    spikes = int(np.count_nonzero(resid > max(SPIKE_MADS * sigma, SPIKE_FLOOR * level)))
    noise = sigma / level
    drift = max(0.0, float(np.median(series[-edge:])) - float(trend.min())) / level

    noise_factor = 1.0 / (1.0 + (noise / NOISE_SCALE) ** 2)
    spike_factor = 1.0 / (1.0 + (spikes / n) / SPIKE_RATE_SCALE)
    drift_factor = 1.0 / (1.0 + (drift / DRIFT_SCALE) ** 2)
    return MetricResult(
        clip01(noise_factor * spike_factor * drift_factor),
        details={
            "batches": float(n),
            "relative_noise": noise,
            "spikes": float(spikes),
            "drift": drift,
            "noise_factor": noise_factor,
            "spike_factor": spike_factor,
            "drift_factor": drift_factor,
        },
    )


def rolling_median(series: np.ndarray, window: int) -> np.ndarray:
    """Centered rolling median; the ends are padded with their edge values so the output keeps length."""
    window = window | 1  # odd, so the window has a center
    half = window // 2
    padded = np.pad(series, half, mode="edge")
    return np.median(sliding_window_view(padded, window), axis=1)
