"""The test samples the model got wrong with the highest confidence: images in a grid, reviews as text."""

from __future__ import annotations

import math
import textwrap

import numpy as np
from matplotlib.figure import Figure

from nettune.data.display import display_image
from nettune.plots.style import BAD_COLOR, PlotSkipped, new_figure
from nettune.plots.trial_files import TrialFiles

IMAGE_COLUMNS = 6
WRAP = 130  # characters per line of a review snippet at 8 pt in a 12-inch figure


def plot_mistakes(trial: TrialFiles) -> Figure:
    data = trial.need_plot_data("misclassified examples")
    if data.array("test_y") is None:
        raise PlotSkipped("no test-set predictions were saved")
    entries = data.meta.get("mistakes") or []
    if not entries:
        raise PlotSkipped("the model made no mistakes on the test split")
    names = trial.class_names(1 + max(max(e["true"], e["pred"]) for e in entries))
    if data.meta.get("modality") == "text":
        return _text_figure(trial, entries, names)
    images = data.array("mistake_x")
    if images is None:
        raise PlotSkipped("the misclassified images were not saved")
    return _image_figure(trial, entries, names, images, data.meta.get("normalization"))


def _image_figure(trial: TrialFiles, entries: list[dict], names: list[str], images: np.ndarray,
                  normalization: dict | None) -> Figure:
    cols = min(IMAGE_COLUMNS, len(entries))
    rows = math.ceil(len(entries) / cols)
    fig = new_figure(1.9 * cols + 0.4, 2.15 * rows + 0.7)
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    for ax, entry, image in zip(axes, entries, images, strict=False):
        shown = display_image(image, normalization)
        ax.imshow(shown, cmap="gray" if shown.ndim == 2 else None)
        ax.set_title(f"true: {names[entry['true']]}\npred: {names[entry['pred']]} ({entry['confidence']:.0%})",
                     fontsize=8, color=BAD_COLOR)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
    for ax in axes[len(entries):]:
        ax.set_visible(False)
    fig.suptitle(f"{trial.title}: most confident mistakes on the test split (confidence of the wrong class)")
    return fig


def _text_figure(trial: TrialFiles, entries: list[dict], names: list[str]) -> Figure:
    blocks = [textwrap.wrap(e.get("text") or "(empty review)", WRAP)[:4] for e in entries]
    lines = sum(len(b) + 2 for b in blocks)
    fig = new_figure(12, 0.2 * lines + 1.0)
    ax = fig.add_subplot()
    ax.axis("off")
    y = 1.0
    step = 1.0 / max(lines, 1)
    for entry, block in zip(entries, blocks, strict=True):
        header = (f"#{entry['index']}  true: {names[entry['true']]}   predicted: {names[entry['pred']]}"
                  f"   (confidence {entry['confidence']:.0%})")
        ax.text(0, y, header, fontsize=9, fontweight="bold", color=BAD_COLOR, va="top", transform=ax.transAxes)
        y -= step
        ax.text(0, y, "\n".join(block), fontsize=8, va="top", family="monospace", transform=ax.transAxes,
                linespacing=1.25)
        y -= step * (len(block) + 1)
    fig.suptitle(f"{trial.title}: most confident mistakes on the test split (review snippets)")
    return fig
