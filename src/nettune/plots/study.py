"""render_study_plots: the study-level figures, each as a PNG and an interactive HTML page.

Every HTML page references one plotly.min.js written beside it (plotly's "directory" mode): the pages
work offline and the ~4 MB library is stored once, not once per page. Like the trial plots, a figure that
cannot be drawn (too few completed trials, missing attributes) is skipped with a logged reason.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import optuna
from matplotlib.figure import Figure

from nettune.plots.study_custom import CUSTOM_PLOTS
from nettune.plots.study_optuna import OPTUNA_PLOTS
from nettune.plots.style import DPI, PlotSkipped, plot_style

log = logging.getLogger("nettune.plots")

StudyPlot = Callable[[optuna.Study], tuple[Figure, Any]]
STUDY_PLOTS: dict[str, StudyPlot] = {**OPTUNA_PLOTS, **CUSTOM_PLOTS}
INDEX_FILE = "index.json"


def render_study_plots(study: optuna.Study, out_dir: Path, only: tuple[str, ...] | None = None) -> list[Path]:
    """Write <name>.png and <name>.html into out_dir for each plot that can be drawn; returns the paths."""
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        log.warning("study plots skipped: cannot create %s (%s)", out_dir, exc.strerror)
        return []
    written: list[Path] = []
    rendered: dict[str, list[str]] = {}
    skipped: dict[str, str] = {}
    for name, plot in STUDY_PLOTS.items():
        if only is not None and name not in only:
            continue
        try:
            paths = _render_one(name, plot, study, out_dir)
        except PlotSkipped as skip:
            skipped[name] = str(skip)
            log.info("study plot %s skipped: %s", name, skip)
            continue
        except Exception as exc:  # a plotting bug must not fail the study's finalization
            skipped[name] = f"error while drawing: {type(exc).__name__}: {exc}"
            log.warning("study plot %s failed", name, exc_info=True)
            continue
        written += paths
        rendered[name] = [p.name for p in paths]
    try:
        (out_dir / INDEX_FILE).write_text(json.dumps({"rendered": rendered, "skipped": skipped}, indent=2))
    except OSError as exc:
        log.warning("cannot write %s: %s", out_dir / INDEX_FILE, exc.strerror)
    return written


def _render_one(name: str, plot: StudyPlot, study: optuna.Study, out_dir: Path) -> list[Path]:
    # Own rc context per plot: Optuna's matplotlib functions switch the global style, and that must not
    # leak into the next plot or into the user's process.
    fig: Figure | None = None
    with plot_style():
        try:
            fig, html = plot(study)
            png = out_dir / f"{name}.png"
            fig.savefig(png, dpi=DPI, bbox_inches="tight", facecolor="white")
        finally:
            if fig is not None:
                _close(fig)
    page = out_dir / f"{name}.html"
    html.write_html(str(page), include_plotlyjs="directory", full_html=True)
    return [png, page]


def _close(fig: Figure) -> None:
    """Optuna's figures live in pyplot's figure manager (ours do not); closing both kinds is safe."""
    import matplotlib.pyplot as plt

    plt.close(fig)
    fig.clear()
