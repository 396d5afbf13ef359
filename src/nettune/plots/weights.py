"""Weight and bias distributions per layer: at the start of training (grey) and at the end (blue).

Each panel is one parameter tensor with its own x range, because a conv kernel and a classifier matrix
differ in scale by an order of magnitude; a shared axis would flatten the smaller ones. The values are
the same randomly chosen positions at both times (see plots.capture), at most 2,048 per tensor.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from nettune.plots.style import END_COLOR, START_COLOR, PlotSkipped, new_figure
from nettune.plots.trial_files import TrialFiles

COLUMNS = 4
BINS = 40


def plot_weights(trial: TrialFiles) -> Figure:
    data = trial.need_plot_data("weight distributions")
    entries = [e for e in data.meta.get("weights") or [] if data.array(f"{e['key']}_start") is not None]
    if not entries:
        raise PlotSkipped("no weight samples were recorded")
    rows = math.ceil(len(entries) / COLUMNS)
    cols = min(COLUMNS, len(entries))
    fig = new_figure(3.2 * cols + 0.5, 2.4 * rows + 0.8)
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    for ax, entry in zip(axes, entries, strict=False):
        start = data.arrays[f"{entry['key']}_start"].astype(np.float64)
        end = data.arrays[f"{entry['key']}_end"].astype(np.float64)
        values = np.concatenate([start, end])
        values = values[np.isfinite(values)]
        low, high = (float(values.min()), float(values.max())) if values.size else (-1.0, 1.0)
        if high - low < 1e-12:  # a constant tensor (e.g. BN-free zero bias): give the bins some width
            low, high = low - 0.5, high + 0.5
        bins = np.linspace(low, high, BINS + 1)
        ax.hist(start[np.isfinite(start)], bins=bins, color=START_COLOR, alpha=0.55, label="start")
        ax.hist(end[np.isfinite(end)], bins=bins, histtype="step", color=END_COLOR, linewidth=1.6, label="end")
        ax.set_title(f"{entry['label']}", fontsize=9)
        ax.set_xlabel(f"{entry['kind']} value  (std {np.std(start):.3g} → {np.std(end):.3g})", fontsize=8)
        ax.set_ylabel("count (sampled)")
        ax.legend(loc="upper right", fontsize=7)
    for ax in axes[len(entries):]:
        ax.set_visible(False)
    fig.suptitle(f"{trial.title}: weight and bias distributions, start vs end of training")
    return fig
