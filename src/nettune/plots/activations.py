"""Activation maps of the final model on a few validation samples.

CNN: the input, then for each conv block the 8 most active feature maps (after the activation, before
pooling) tiled 2 x 4, each map scaled to its own range so weak filters still show their pattern.
LSTM: the top layer's hidden state (units x tokens, in [-1, 1]) over the last tokens of a few reviews.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from nettune.data.display import display_image
from nettune.plots.data_file import PlotData
from nettune.plots.style import PlotSkipped, new_figure
from nettune.plots.trial_files import TrialFiles

TILE_COLUMNS = 4
TEXT_SAMPLES = 3


def plot_activations(trial: TrialFiles) -> Figure:
    data = trial.need_plot_data("activation maps")
    info = data.meta.get("activations")
    inputs = data.array("act_inputs")
    if not info or inputs is None or not info.get("layers"):
        raise PlotSkipped("no activations were captured (empty validation probe)")
    if info["kind"] == "sequence":
        return _sequence_figure(trial, data, info["layers"][-1])
    return _maps_figure(trial, data, info["layers"], inputs)


def tile(maps: np.ndarray, columns: int = TILE_COLUMNS) -> np.ndarray:
    """(K, H, W) -> one (rows*(H+1)-1, columns*(W+1)-1) mosaic with NaN gutters, each map scaled to [0, 1].

    One image per block instead of K small axes keeps rendering fast (axes are the expensive part).
    """
    count, height, width = maps.shape
    rows = math.ceil(count / columns)
    mosaic = np.full((rows * (height + 1) - 1, columns * (width + 1) - 1), np.nan, dtype=np.float32)
    for k in range(count):
        m = maps[k].astype(np.float32)
        span = float(m.max() - m.min())
        scaled = (m - m.min()) / span if span > 0 else np.zeros_like(m)
        r, c = divmod(k, columns)
        mosaic[r * (height + 1) : r * (height + 1) + height, c * (width + 1) : c * (width + 1) + width] = scaled
    return mosaic


def _maps_figure(trial: TrialFiles, data: PlotData, layers: list[dict], inputs: np.ndarray) -> Figure:
    samples = inputs.shape[0]
    cols = 1 + len(layers)
    # Each block mosaic is 2 x 4 maps (twice as wide as tall); the input is square at the mosaic's height.
    fig = new_figure(max(8.5, 1.6 + 3.2 * len(layers)), 1.75 * samples + 1.0)
    axes = fig.subplots(samples, cols, squeeze=False, width_ratios=[0.5] + [1.0] * len(layers))
    cmap = colormaps["magma"].with_extremes(bad="white")
    normalization = data.meta.get("normalization")
    for row in range(samples):
        image = display_image(inputs[row], normalization)
        axes[row, 0].imshow(image, cmap="gray" if image.ndim == 2 else None)
        axes[row, 0].set_ylabel(f"sample {row + 1}")
        for col, layer in enumerate(layers, start=1):
            maps = data.arrays[layer["key"]][row]
            axes[row, col].imshow(tile(maps), cmap=cmap, vmin=0, vmax=1)
    axes[0, 0].set_title("input")
    for col, layer in enumerate(layers, start=1):
        shape = data.arrays[layer["key"]].shape
        axes[0, col].set_title(f"block {col}: {layer['name']}\n{len(layer['kept'])} of {layer['total']} maps, "
                               f"{shape[-2]}×{shape[-1]} px", fontsize=8)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
    fig.suptitle(f"{trial.title}: conv feature maps\n(most active channels per block, each scaled to its own range)")
    return fig


def _sequence_figure(trial: TrialFiles, data: PlotData, layer: dict) -> Figure:
    values = data.arrays[layer["key"]].astype(np.float32)  # (N, T, U)
    tokens = data.meta.get("activation_tokens") or []
    samples = min(TEXT_SAMPLES, values.shape[0])
    steps, units = values.shape[1], values.shape[2]
    # Symmetric limits at the largest |h| shown (at least 0.1): an untrained or gently trained LSTM stays
    # near 0 and would be an all-white plot on the full [-1, 1] range; the colour bar gives the real scale.
    limit = max(0.1, float(np.abs(values[:samples]).max()) if values.size else 1.0)
    fig = new_figure(max(8.0, 0.22 * steps + 2.5), samples * (0.08 * units + 1.35) + 0.7)
    axes = np.atleast_1d(fig.subplots(samples, 1, squeeze=False)).ravel()
    image = None
    for row, ax in enumerate(axes):
        image = ax.imshow(values[row].T, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
        labels = tokens[row] if row < len(tokens) else [""] * steps
        ax.set_xticks(np.arange(steps), labels=[w[:12] for w in labels], rotation=90, fontsize=7)
        ax.set_yticks([])
        ax.set_ylabel(f"review {row + 1}\n{units} units")
        ax.grid(False)
    axes[-1].set_xlabel(f"Token (last {steps} of each review, read left to right; blank = padding)")
    if image is not None:
        fig.colorbar(image, ax=list(axes), shrink=0.6, aspect=30, label="hidden state h (bounded to −1 … 1)")
    fig.suptitle(f"{trial.title}: {layer['name']} hidden state over the last tokens\n"
                 f"({units} most varying of {layer['total']} units; red = positive, blue = negative)")
    return fig
