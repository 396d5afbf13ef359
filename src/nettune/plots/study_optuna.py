"""Study plots that Optuna draws itself, each in both backends: matplotlib (PNG) and plotly (HTML).

Optuna's matplotlib functions draw through pyplot and switch the global style to ggplot; every call here
runs inside an rc_context (restored afterwards) and the caller closes the pyplot figure after saving.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import optuna
from matplotlib.figure import Figure
from optuna.trial import TrialState

from nettune.plots.style import PlotSkipped

TARGET_NAME = "Objective value"
TOP_PARAMS = 4  # slice plots: one panel per parameter; beyond four they get too narrow to read


@contextmanager
def quiet_optuna() -> Iterator[None]:
    # The matplotlib backend is marked experimental and warns on every call; that is noise in a user's log.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        warnings.simplefilter("ignore", UserWarning)
        yield


def complete_trials(study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    return study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))


def varying_params(study: optuna.Study) -> list[str]:
    """Parameters that took more than one value over the complete trials (only those can matter)."""
    values: dict[str, set[str]] = {}
    for trial in complete_trials(study):
        for name, value in trial.params.items():
            values.setdefault(name, set()).add(repr(value))
    return sorted(name for name, seen in values.items() if len(seen) > 1)


def top_params(study: optuna.Study, limit: int = TOP_PARAMS) -> list[str]:
    varying = varying_params(study)
    if len(complete_trials(study)) >= 2 and varying:
        try:
            with quiet_optuna():
                ranked = list(optuna.importance.get_param_importances(study, params=varying))
            return ranked[:limit]
        except (ValueError, RuntimeError):  # too few trials for the evaluator: fall back to name order
            pass
    return varying[:limit]


def _require(study: optuna.Study, minimum: int, what: str) -> None:
    count = len(complete_trials(study))
    if count < minimum:
        raise PlotSkipped(f"{what} needs at least {minimum} completed trial(s), the study has {count}")


def _figure_of(result: Any) -> Figure:
    axes = np.atleast_1d(result).ravel()[0] if isinstance(result, np.ndarray) else result
    return axes.figure


def _titled(fig: Figure, title: str) -> Figure:
    # Optuna's generic axes titles ("Optimization History Plot") are replaced by one that says what to read.
    for ax in fig.axes:
        if ax.get_title().endswith("Plot"):
            ax.set_title("")
    fig.suptitle(title, fontweight="bold")
    return fig


def _render(study: optuna.Study, plot: str, **kwargs: Any) -> tuple[Figure, Any]:
    """The same Optuna plot twice: a matplotlib figure for the PNG and a plotly one for the HTML page."""
    with quiet_optuna():
        fig = _figure_of(getattr(optuna.visualization.matplotlib, plot)(study, target_name=TARGET_NAME, **kwargs))
        html = getattr(optuna.visualization, plot)(study, target_name=TARGET_NAME, **kwargs)
    return fig, html


def _some(params: list[str]) -> list[str]:
    if not params:
        raise PlotSkipped("no parameter varied across the completed trials")
    return params


def optimization_history(study: optuna.Study) -> tuple[Figure, Any]:
    _require(study, 1, "the optimization history")
    fig, html = _render(study, "plot_optimization_history")
    fig.set_size_inches(9, 5)
    return _titled(fig, "Objective per trial, with the best value so far"), html


def param_importance(study: optuna.Study) -> tuple[Figure, Any]:
    _require(study, 2, "parameter importance")
    params = _some(varying_params(study))
    fig, html = _render(study, "plot_param_importances", params=params)
    fig.set_size_inches(9, max(3.0, 0.4 * len(params) + 1.5))
    return _titled(fig, "Which hyperparameters mattered for the objective"), html


def parallel_coordinates(study: optuna.Study) -> tuple[Figure, Any]:
    _require(study, 2, "the parallel-coordinate plot")
    params = _some(varying_params(study))
    fig, html = _render(study, "plot_parallel_coordinate", params=params)
    fig.set_size_inches(max(9.0, 1.3 * len(params) + 2), 5)
    return _titled(fig, "Parameter combinations of every completed trial (colour = objective)"), html


def slices(study: optuna.Study) -> tuple[Figure, Any]:
    _require(study, 1, "slice plots")
    params = _some(top_params(study))
    fig, html = _render(study, "plot_slice", params=params)
    fig.set_size_inches(3.2 * len(params) + 1.5, 4)
    return _titled(fig, f"Objective vs the {len(params)} most important parameter(s)"), html


OPTUNA_PLOTS: dict[str, Callable[[optuna.Study], tuple[Figure, Any]]] = {
    "optimization_history": optimization_history,
    "param_importance": param_importance,
    "parallel_coordinates": parallel_coordinates,
    "slice": slices,
}
