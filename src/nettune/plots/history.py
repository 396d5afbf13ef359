"""Training history: loss and accuracy per epoch, train vs validation, best epoch and stop reason marked."""

from __future__ import annotations

import math

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from nettune.plots.style import TRAIN_COLOR, VAL_COLOR, PlotSkipped, new_figure
from nettune.plots.trial_files import TrialFiles


def plot_history(trial: TrialFiles) -> Figure:
    rows = trial.history
    if not rows:
        raise PlotSkipped("no epoch finished (no training history)")
    epochs = [int(row.get("epoch", i + 1)) for i, row in enumerate(rows)]
    metrics = trial.metrics or {}
    best = metrics.get("best_epoch")
    stop = metrics.get("stop_reason") or (trial.outcome or {}).get("state")
    fig = new_figure(10, 4)
    loss_ax, acc_ax = fig.subplots(1, 2)
    _series(loss_ax, epochs, rows, "loss", "Loss (cross-entropy)")
    _series(acc_ax, epochs, rows, "accuracy", "Accuracy")
    acc_ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    loss_ax.set_title("Loss per epoch")
    acc_ax.set_title("Accuracy per epoch")
    if isinstance(best, int) and best in epochs:
        for ax in (loss_ax, acc_ax):
            ax.axvline(best, color="#2ca02c", linestyle="--", linewidth=1.2, label=f"best epoch ({best})")
    for ax in (loss_ax, acc_ax):
        ax.legend(loc="best")
    subtitle = f"stopped: {stop}" if stop else ""
    fig.suptitle(f"{trial.title}: training history" + (f"  —  {subtitle}" if subtitle else ""))
    return fig


def _series(ax: Axes, epochs: list[int], rows: list[dict], metric: str, label: str) -> None:
    for split, color in (("train", TRAIN_COLOR), ("val", VAL_COLOR)):
        values = [_num(row.get(f"{split}_{metric}")) for row in rows]
        ax.plot(epochs, values, marker="o", color=color, label="train" if split == "train" else "validation")
    ax.set_xlabel("Epoch")
    ax.set_ylabel(label)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _num(value: object) -> float:
    # JSON stores a diverged (non-finite) loss as null; NaN leaves a visible gap instead of a fake value.
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else math.nan
