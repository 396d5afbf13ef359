"""render_trial_plots: every per-trial PNG, from the files in the trial directory alone.

Each plot is independent: one that cannot be drawn (missing data, a trial that failed before its first
epoch, an unexpected error) is skipped with a logged reason and the others are still written. Nothing
here raises, so plotting can never fail a trial or a study.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from pathlib import Path

from matplotlib.figure import Figure

from nettune.plots.activations import plot_activations
from nettune.plots.confusion import plot_confusion
from nettune.plots.gradient_flow import plot_gradient_flow
from nettune.plots.health_plots import plot_health_radar, plot_unit_map
from nettune.plots.history import plot_history
from nettune.plots.mistakes import plot_mistakes
from nettune.plots.style import PlotSkipped, plot_style, release, save_figure
from nettune.plots.trial_files import TrialFiles, load_trial
from nettune.plots.weights import plot_weights

log = logging.getLogger("nettune.plots")

PLOTS_DIR = "plots"
INDEX_FILE = "index.json"

TrialPlot = Callable[[TrialFiles], Figure]
TRIAL_PLOTS: dict[str, TrialPlot] = {
    "training_history": plot_history,
    "confusion_matrix": plot_confusion,
    "gradient_flow": plot_gradient_flow,
    "weight_distributions": plot_weights,
    "activation_maps": plot_activations,
    "unit_map": plot_unit_map,
    "health_radar": plot_health_radar,
    "misclassified": plot_mistakes,
}


def render_trial_plots(trial_dir: Path, only: tuple[str, ...] | None = None) -> list[Path]:
    """Write trial_dir/plots/<name>.png for each plot that can be drawn; returns the written paths.

    Also writes plots/index.json ({"rendered": {name: file}, "skipped": {name: reason}}) so a UI can say
    why a plot is missing without reading logs.
    """
    trial_dir = Path(trial_dir)
    if not trial_dir.is_dir():
        log.warning("trial plots skipped: %s is not a directory", trial_dir)
        return []
    out_dir = trial_dir / PLOTS_DIR
    written: list[Path] = []
    rendered: dict[str, str] = {}
    skipped: dict[str, str] = {}
    try:
        trial = load_trial(trial_dir)
    except Exception as exc:  # never raise: a broken trial dir only costs its plots
        log.warning("trial plots for %s skipped: cannot read the trial files (%s)", trial_dir, exc)
        return []
    with plot_style():
        for name, plot in TRIAL_PLOTS.items():
            if only is not None and name not in only:
                continue
            started = time.perf_counter()
            reason = _render_one(plot, trial, out_dir / f"{name}.png")
            if reason is None:
                written.append(out_dir / f"{name}.png")
                rendered[name] = f"{name}.png"
                log.debug("plot %s for %s in %.2fs", name, trial_dir.name, time.perf_counter() - started)
            else:
                skipped[name] = reason
                log.info("plot %s skipped for %s: %s", name, trial_dir, reason)
    _write_index(out_dir, rendered, skipped)
    return written


def _render_one(plot: TrialPlot, trial: TrialFiles, path: Path) -> str | None:
    """None when written, else the reason it was not."""
    fig: Figure | None = None
    try:
        fig = plot(trial)
        save_figure(fig, path)
        return None
    except PlotSkipped as skip:
        return str(skip)
    except Exception as exc:  # a plotting bug must not cost the trial; the log says what broke
        log.warning("plot %s failed for %s", path.stem, trial.directory, exc_info=True)
        return f"error while drawing: {type(exc).__name__}: {exc}"
    finally:
        if fig is not None:
            release(fig)


def _write_index(out_dir: Path, rendered: dict[str, str], skipped: dict[str, str]) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / INDEX_FILE).write_text(json.dumps({"rendered": rendered, "skipped": skipped}, indent=2))
    except OSError as exc:
        log.warning("cannot write %s: %s", out_dir / INDEX_FILE, exc)
