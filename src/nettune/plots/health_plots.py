"""Health figures: the per-unit dead/saturated map of every monitored layer, and the six-metric radar."""

from __future__ import annotations

import math

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from nettune.health.catalog import METRIC_DOCS, METRIC_NAMES
from nettune.health.units import SATURATED_SHARE
from nettune.plots.style import BAD_COLOR, WARN_COLOR, PlotSkipped, new_figure
from nettune.plots.trial_files import TrialFiles

UNITS_PER_ROW = 64  # wide layers wrap, so a 512-unit layer is an 8-row block rather than a 1-px line
_DEAD_RGB = (0.84, 0.15, 0.16)
_SATURATED_RGB = (1.0, 0.62, 0.11)


def unit_colours(active: np.ndarray, saturated: np.ndarray, bounded: bool) -> np.ndarray:
    """(units, 3) RGB: dead red, saturated orange, alive green shaded by how often the unit is active."""
    greens = colormaps["Greens"]
    rgb = greens(0.35 + 0.65 * np.clip(active, 0.0, 1.0))[:, :3]
    if bounded:
        rgb[saturated > SATURATED_SHARE] = _SATURATED_RGB
    rgb[active == 0.0] = _DEAD_RGB
    return rgb


def plot_unit_map(trial: TrialFiles) -> Figure:
    data = trial.need_plot_data("the unit map")
    layers = [e for e in data.meta.get("units") or [] if data.array(f"{e['key']}_active") is not None]
    if not layers:
        raise PlotSkipped("no unit activity was measured (no activation layers or empty probe)")
    heights = [math.ceil(data.arrays[f"{e['key']}_active"].size / UNITS_PER_ROW) for e in layers]
    fig = new_figure(10, 0.9 * len(layers) + 0.16 * sum(heights) + 1.0)
    axes = np.atleast_1d(fig.subplots(len(layers), 1, squeeze=False, height_ratios=[h + 1.5 for h in heights]))
    for ax, entry, rows in zip(axes.ravel(), layers, heights, strict=True):
        active = data.arrays[f"{entry['key']}_active"].astype(np.float64)
        saturated = data.arrays[f"{entry['key']}_saturated"].astype(np.float64)
        colours = unit_colours(active, saturated, bool(entry.get("bounded")))
        grid = np.ones((rows * UNITS_PER_ROW, 3))
        grid[: active.size] = colours
        ax.imshow(grid.reshape(rows, UNITS_PER_ROW, 3), aspect="auto", extent=(0, UNITS_PER_ROW, rows, 0))
        dead = int((active == 0).sum())
        sat = int((saturated > SATURATED_SHARE).sum()) if entry.get("bounded") else 0
        source = f" after {entry['source']}" if entry.get("source") not in (None, entry["name"]) else ""
        ax.set_title(f"{entry['name']} ({entry['activation']}{source}): {active.size} units — "
                     f"{dead} dead ({dead / active.size:.0%}), {sat} saturated", fontsize=9, loc="left")
        ax.set_yticks([])
        ax.set_xticks(np.arange(0, UNITS_PER_ROW + 1, 16))
        ax.grid(False)
    axes.ravel()[-1].set_xlabel(f"Unit index within a row ({UNITS_PER_ROW} units per row)")
    legend = [Patch(color=_DEAD_RGB, label="dead (never active)"),
              Patch(color=_SATURATED_RGB, label="saturated (|a| > 0.99 on > 99% of probe)"),
              Patch(color=colormaps["Greens"](0.45), label="alive, rarely active"),
              Patch(color=colormaps["Greens"](1.0), label="alive, always active")]
    fig.legend(handles=legend, loc="outside lower center", ncols=4, fontsize=8)
    fig.suptitle(f"{trial.title}: dead and saturated units per layer (validation probe)")
    return fig


def plot_health_radar(trial: TrialFiles) -> Figure:
    health = trial.need_health()
    metrics = health["metrics"]
    names = [name for name in METRIC_NAMES if name in metrics]
    if len(names) < 3:
        raise PlotSkipped("fewer than three health metrics in health.json")
    values = [float(metrics[name]) if metrics[name] is not None else 0.0 for name in names]
    unmeasured = set(health.get("unmeasured") or [])
    labels = [METRIC_DOCS[name]["label"].replace(" ", "\n", 1) + ("\n(no data)" if name in unmeasured else "")
              for name in names]
    angles = np.linspace(0, 2 * np.pi, len(names), endpoint=False)
    fig = new_figure(7.6, 6.6)
    ax = fig.add_subplot(projection="polar")
    ax.set_theta_offset(np.pi / 2)  # first metric at the top, then clockwise in catalog order
    ax.set_theta_direction(-1)
    closed = np.append(angles, angles[0])
    ax.fill(closed, [*values, values[0]], color="#1f77b4", alpha=0.25)
    ax.plot(closed, [*values, values[0]], color="#1f77b4", linewidth=2, marker="o")
    ax.plot(closed, [0.5] * len(closed), color=WARN_COLOR, linestyle=":", linewidth=1.2, label="0.5 = neutral")
    for angle, value in zip(angles, values, strict=True):
        # Values near the rim are labelled inside the polygon, where they cannot collide with the axis labels.
        ax.annotate(f"{value:.2f}", (angle, value if value < 0.85 else value - 0.13), textcoords="offset points",
                    xytext=(0, 7), ha="center", fontsize=8, fontweight="bold",
                    color=BAD_COLOR if value < 0.5 else "black")
    ax.set_xticks(angles, labels=labels, fontsize=9)
    ax.tick_params(axis="x", pad=12)
    ax.set_ylim(0, 1)
    ax.set_yticks([0.25, 0.5, 0.75, 1.0], labels=["0.25", "0.5", "0.75", "1"], fontsize=7)
    ax.legend(loc="lower right", bbox_to_anchor=(1.15, -0.08), fontsize=7)
    overall = health.get("overall")
    score = f" — overall {overall:.2f}" if isinstance(overall, int | float) else ""
    fig.suptitle(f"{trial.title}: health metrics{score}\n(each 0 = bad … 1 = good)")
    return fig
