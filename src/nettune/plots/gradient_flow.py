"""Gradient flow: per-layer gradient L2 norms (mean and max over training, and over steps) on a log scale.

The vanishing (< 1e-7) and exploding (> 1e2) bands are the thresholds the gradient_health metric uses, so
what the plot shows and what the health score judges agree.
"""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from nettune.plots.style import BAD_COLOR, WARN_COLOR, PlotSkipped, new_figure
from nettune.plots.trial_files import TrialFiles

VANISHING = 1e-7
EXPLODING = 1e2
_MAX_LINES = 12  # more per-layer lines than this turn the step plot into noise; the bar panel shows all


def plot_gradient_flow(trial: TrialFiles) -> Figure:
    data = trial.need_plot_data("gradient flow")
    names = list(data.meta.get("grad_layers") or [])
    steps, norms = data.array("grad_steps"), data.array("grad_norms")
    if not names or steps is None or norms is None or norms.size == 0:
        raise PlotSkipped("no gradient norms were recorded (no training step ran)")
    finite = np.where(np.isfinite(norms), norms, np.nan)
    with np.errstate(all="ignore"):  # an all-NaN column (layer never had a gradient) is expected
        mean = np.nanmean(finite, axis=0)
        peak = np.nanmax(finite, axis=0)
    kinds = list(data.meta.get("grad_kinds") or [])
    labels = [f"{n}\n({k})" for n, k in zip(names, kinds, strict=True)] if len(kinds) == len(names) else names
    fig = new_figure(12, 4.8)
    bar_ax, line_ax = fig.subplots(1, 2, width_ratios=(1, 1.3))
    _bars(bar_ax, labels, mean, peak)
    _lines(line_ax, names, steps, finite)
    fig.suptitle(f"{trial.title}: gradient flow ({steps.size} sampled steps)")
    return fig


def _bands(ax: Axes, low: float, high: float) -> None:
    ax.set_yscale("log")
    bottom, top = min(low, VANISHING) / 10, max(high, EXPLODING) * 10
    ax.axhspan(bottom, VANISHING, color=WARN_COLOR, alpha=0.18, label="vanishing (< 1e-7)")
    ax.axhspan(EXPLODING, top, color=BAD_COLOR, alpha=0.15, label="exploding (> 1e2)")
    ax.set_ylim(bottom, top)


def _positive_range(values: np.ndarray) -> tuple[float, float]:
    positive = values[np.isfinite(values) & (values > 0)]
    return (float(positive.min()), float(positive.max())) if positive.size else (VANISHING, EXPLODING)


def _bars(ax: Axes, names: list[str], mean: np.ndarray, peak: np.ndarray) -> None:
    x = np.arange(len(names))
    low, high = _positive_range(np.concatenate([mean, peak]))
    _bands(ax, low, high)
    # Zero or missing norms cannot sit on a log axis: drawn at the bottom edge so the layer is not hidden.
    floor = ax.get_ylim()[0]
    ax.bar(x, np.where(np.isfinite(peak) & (peak > 0), peak, floor), width=0.7, color="#9ecae1", label="max")
    ax.bar(x, np.where(np.isfinite(mean) & (mean > 0), mean, floor), width=0.4, color="#08519c", label="mean")
    ax.set_xticks(x, labels=names, rotation=40, ha="right")
    ax.set_xlabel("Layer (input → output)")
    ax.set_ylabel("Gradient L2 norm (log scale)")
    ax.set_title("Mean and max per layer over training")
    ax.legend(loc="upper right", ncols=2)
    ax.grid(axis="x", visible=False)


def _lines(ax: Axes, names: list[str], steps: np.ndarray, norms: np.ndarray) -> None:
    low, high = _positive_range(norms)
    _bands(ax, low, high)
    shown = np.linspace(0, len(names) - 1, min(len(names), _MAX_LINES)).round().astype(int)
    # Input-side layers dark, output-side layers light: the colour order follows the data flow.
    cmap = colormaps["viridis"]
    for position, column in enumerate(shown):
        color = cmap(0.9 * position / max(1, len(shown) - 1))
        series = np.where(norms[:, column] > 0, norms[:, column], np.nan)
        ax.plot(steps, series, color=color, linewidth=1.2, label=names[column],
                marker="o" if steps.size < 3 else None)
    ax.set_xlabel("Training step")
    ax.set_ylabel("Gradient L2 norm (log scale)")
    ax.set_title("Per-layer norm over training")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=7)
