"""Training stability from the per-batch loss series: noise, spikes and rises around the trend.

The loss normally falls fast, so raw variance would mostly measure the learning curve. Instead the series
is detrended by a centered rolling median (which follows a monotone curve exactly and ignores isolated
spikes), and sizes are expressed as shares of the initial loss so scores compare across datasets.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from nettune.health.result import MetricResult, clip01, unmeasured

MIN_BATCHES = 8  # fewer losses than this cannot separate noise from trend
SPIKE_MADS = 6.0  # a spike is a residual above 6 local robust standard deviations...
SPIKE_MIN = 0.3  # ...and at least 30% above the trend...
SCALE_FLOOR = 0.05  # ...plus 5% of the initial loss, so bumps on a near-zero loss (0.001 -> 0.002) don't count
NOISE_SCALE = 0.1  # noise (share of the initial loss) at which the noise factor is 0.5
SPIKE_RATE_SCALE = 0.02  # spike rate at which the spike factor is 0.5 (1 spike per 50 batches)
RISE_SCALE = 0.25  # loss rise (share of the initial loss) at which the rise factor is 0.5
_MAD_TO_STD = 1.4826  # MAD of a normal distribution times this is its standard deviation


def training_stability(losses: Sequence[float] | np.ndarray) -> MetricResult:
    """noise_factor * spike_factor * rise_factor, each 1 for a perfectly smooth falling loss.

    level  = the first loss: the untrained model's, the one point every run shares (ln(classes) for CE)
    trend  = centered rolling median, window w = n/20 clipped to 5..25;  resid = loss - trend
    local  = 1.4826 * rolling median of |resid| (same window): the batch-to-batch noise at that point
    noise  = 1.4826 * MAD(resid) / level                    noise_factor = 1 / (1 + (noise / 0.1)^2)
    spikes = #{resid > max(6 * local, 0.3 * (trend + 0.05 * level))}
                                                            spike_factor = 1 / (1 + (spikes / n) / 0.02)
    rise   = max(late rise, overshoot) / level              rise_factor = 1 / (1 + (rise / 0.25)^2)
             late rise: median of the last 10% minus the lowest median of any 10% stretch
             overshoot: highest trend minus the first loss (the loss blowing up early, before it falls)
    Noise is measured against the initial loss, not the current one: mini-batch loss is relatively
    noisier the better the model fits (a few misclassified samples dominate), and a good fit must not
    read as instability. Spikes are judged against the local noise, which shrinks as the loss falls.
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

    level = max(abs(float(series[0])), 1e-12)
    window = int(np.clip(n // 20, 5, 25))
    trend = rolling_median(series, window)
    resid = series - trend
    local = _MAD_TO_STD * rolling_median(np.abs(resid), window)
    noise = _MAD_TO_STD * float(np.median(np.abs(resid - np.median(resid)))) / level
    threshold = np.maximum(SPIKE_MADS * local, SPIKE_MIN * (np.abs(trend) + SCALE_FLOOR * level))
    spikes = int(np.count_nonzero(resid > threshold))
    late_rise = _late_rise(series, max(5, n // 10)) / level
    overshoot = max(0.0, float(trend.max() - series[0])) / level

    noise_factor = 1.0 / (1.0 + (noise / NOISE_SCALE) ** 2)
    spike_factor = 1.0 / (1.0 + (spikes / n) / SPIKE_RATE_SCALE)
    rise_factor = 1.0 / (1.0 + (max(late_rise, overshoot) / RISE_SCALE) ** 2)
    return MetricResult(
        clip01(noise_factor * spike_factor * rise_factor),
        details={
            "batches": float(n),
            "noise": noise,
            "spikes": float(spikes),
            "late_rise": late_rise,
            "overshoot": overshoot,
            "noise_factor": noise_factor,
            "spike_factor": spike_factor,
            "rise_factor": rise_factor,
        },
    )


def rolling_median(series: np.ndarray, window: int) -> np.ndarray:
    """Centered rolling median; near the ends the window shrinks symmetrically (down to 1 point).

    A symmetric window follows any monotone stretch exactly (its median is its center), so a steep
    learning curve leaves no residual, and nothing is padded in that could invent a trend.
    """
    half = (window | 1) // 2
    n = series.size
    out = series.astype(np.float64, copy=True)
    if n > 2 * half:
        out[half : n - half] = np.median(sliding_window_view(series, 2 * half + 1), axis=1)
    for i in (*range(min(half, n)), *range(max(half, n - half), n)):
        k = min(half, i, n - 1 - i)
        out[i] = np.median(series[i - k : i + k + 1])
    return out


def _late_rise(series: np.ndarray, stretch: int) -> float:
    """How far the median of the final stretch sits above the best median of any stretch of that length.

    Both sides are medians of equally many batches, so for a loss that keeps falling the answer is ~0
    however noisy the batches are. Stretches are taken every stretch/4 steps to bound the work.
    """
    starts = [*range(0, series.size - stretch + 1, max(1, stretch // 4)), series.size - stretch]
    medians = [float(np.median(series[s : s + stretch])) for s in starts]
    return max(0.0, medians[-1] - min(medians))
