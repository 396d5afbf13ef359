"""Confusion matrix on the test split: raw counts and row-normalized (per true class recall)."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from nettune.plots.style import PlotSkipped, new_figure
from nettune.plots.trial_files import TrialFiles

ANNOTATE_UP_TO = 15  # classes; beyond that the cell numbers would be unreadable, the colour carries it


def confusion_counts(y: np.ndarray, pred: np.ndarray, classes: int) -> np.ndarray:
    """(true, predicted) counts."""
    matrix = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(matrix, (y.astype(np.int64), pred.astype(np.int64)), 1)
    return matrix


def plot_confusion(trial: TrialFiles) -> Figure:
    data = trial.need_plot_data("the confusion matrix")
    y, pred = data.array("test_y"), data.array("test_pred")
    if y is None or pred is None or y.size == 0:
        raise PlotSkipped("no test-set predictions were saved")
    classes = max(len(data.meta.get("class_names") or []), int(max(y.max(), pred.max())) + 1)
    names = trial.class_names(classes)
    counts = confusion_counts(y, pred, classes)
    totals = counts.sum(axis=1, keepdims=True)
    normalized = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
    side = min(14.0, 3.0 + 0.32 * classes)
    fig = new_figure(2 * side + 1.5, side)
    count_ax, norm_ax = fig.subplots(1, 2)
    _matrix(fig, count_ax, counts, names, "Counts", "test samples", "d")
    _matrix(fig, norm_ax, normalized, names, "Row-normalized (share of each true class)", "share of true class", ".2f")
    accuracy = float(np.trace(counts)) / max(1, int(counts.sum()))
    fig.suptitle(f"{trial.title}: confusion matrix on {int(counts.sum()):,} test samples — accuracy {accuracy:.2%}")
    return fig


def _matrix(fig: Figure, ax: Axes, values: np.ndarray, names: list[str], title: str, unit: str, fmt: str) -> None:
    image = ax.imshow(values, cmap="Blues", vmin=0, aspect="equal")
    ax.grid(False)
    ticks = np.arange(len(names))
    ax.set_xticks(ticks, labels=names, rotation=45 if max(map(len, names)) > 3 else 0, ha="right")
    ax.set_yticks(ticks, labels=names)
    if len(names) > ANNOTATE_UP_TO:
        ax.tick_params(labelsize=6)
    ax.set_xlabel("Predicted class")
    ax.set_ylabel("True class")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, shrink=0.8, label=unit)
    if len(names) <= ANNOTATE_UP_TO:
        threshold = values.max() / 2 if values.size else 0
        for (row, col), value in np.ndenumerate(values):
            if value:
                ax.text(col, row, format(value, fmt), ha="center", va="center", fontsize=7,
                        color="white" if value > threshold else "black")
