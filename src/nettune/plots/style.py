"""Figure creation and saving shared by every plot: one look, one size policy, no pyplot state.

Figures are built as bare `matplotlib.figure.Figure` objects on an Agg canvas instead of through pyplot:
nothing is registered in pyplot's global figure manager (so nothing leaks when a plot fails halfway), no
GUI backend is ever selected, and rendering from worker processes or threads needs no backend switch.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

log = logging.getLogger("nettune.plots")

DPI = 100  # 100 dpi: a 10-inch figure is 1000 px, legible at 100% zoom and small on disk
TRAIN_COLOR = "#1f77b4"
VAL_COLOR = "#ff7f0e"
START_COLOR = "#7f7f7f"
END_COLOR = "#1f77b4"
BAD_COLOR = "#d62728"
WARN_COLOR = "#ff9f1c"
GOOD_COLOR = "#2ca02c"

# Applied only inside `plot_style()`, so importing nettune never changes a user's own matplotlib settings.
_STYLE: dict[str, object] = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.labelsize": 9,
    "figure.titlesize": 12,
    "figure.titleweight": "bold",
    "legend.fontsize": 8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "image.interpolation": "nearest",
    "savefig.dpi": DPI,
    "figure.dpi": DPI,
}


class PlotSkipped(Exception):
    """Raised by a plot function when its data is missing or degenerate; the message says why."""


@contextmanager
def plot_style() -> Iterator[None]:
    """Our rcParams for the duration of a render; the previous settings come back afterwards."""
    with matplotlib.rc_context(_STYLE):
        yield


def new_figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)  # attaches itself as fig.canvas
    return fig


def save_figure(fig: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI, facecolor="white")
    return path


def release(fig: Figure) -> None:
    """Drop a figure's artists at once; a bare Figure is not in pyplot, so this is all the cleanup needed."""
    fig.clear()
