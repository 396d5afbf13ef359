import json

import matplotlib
import numpy as np
import optuna
import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.trial import TrialState, create_trial

from nettune.plots import STUDY_PLOTS, render_study_plots
from nettune.plots.study_custom import accuracy_vs_health, pareto_mask, timeline

DISTRIBUTIONS = {
    "learning_rate": FloatDistribution(1e-4, 1e-1, log=True),
    "filters": IntDistribution(8, 64),
    "activation": CategoricalDistribution(["relu", "elu", "tanh"]),
}
T0 = 1_700_000_000.0


def _trial(number: int, acc: float, health: float, worker: str, state=TrialState.COMPLETE):
    params = {"learning_rate": 10 ** (-4 + number % 3), "filters": 8 + 8 * number,
              "activation": ["relu", "elu", "tanh"][number % 3]}
    attrs = {"val_accuracy": acc, "health": health, "worker": worker, "started_at": T0 + 10 * number,
             "finished_at": T0 + 10 * number + 8, "duration_s": 8.0}
    value = 0.7 * acc + 0.3 * health if state == TrialState.COMPLETE else None
    return create_trial(params=params, distributions=DISTRIBUTIONS, value=value, user_attrs=attrs, state=state)


def make_study(completed: int, extra_states: bool = False) -> optuna.Study:
    study = optuna.create_study(direction="maximize")
    points = [(0.90, 0.60), (0.85, 0.80), (0.95, 0.50), (0.80, 0.70), (0.92, 0.65), (0.70, 0.90)]
    for i in range(completed):
        acc, health = points[i % len(points)]
        study.add_trial(_trial(i, acc, health, worker=f"worker-{i % 2}"))
    if extra_states:
        study.add_trial(_trial(completed, 0.5, 0.5, "worker-0", TrialState.PRUNED))
        study.add_trial(_trial(completed + 1, 0.5, 0.5, "worker-1", TrialState.FAIL))
    return study


def test_pareto_mask_keeps_only_non_dominated_points():
    points = np.array([[0.9, 0.6], [0.85, 0.8], [0.95, 0.5], [0.8, 0.7], [0.9, 0.6]])
    # (0.8, 0.7) is beaten on both axes by (0.85, 0.8); equal points do not dominate each other.
    assert pareto_mask(points).tolist() == [True, True, True, False, True]


def test_full_study_renders_png_and_html_for_every_plot(tmp_path):
    study = make_study(6, extra_states=True)
    style_before = dict(matplotlib.rcParams)
    paths = render_study_plots(study, tmp_path)
    assert sorted(p.name for p in paths) == sorted(f"{n}.{ext}" for n in STUDY_PLOTS for ext in ("png", "html"))
    for path in paths:
        assert path.stat().st_size > 5_000
    # One shared plotly.js beside the pages: offline-capable, stored once.
    assert (tmp_path / "plotly.min.js").stat().st_size > 1_000_000
    page = (tmp_path / "timeline.html").read_text()
    assert '<script src="plotly.min.js"' in page or "plotly.min.js" in page
    index = json.loads((tmp_path / "index.json").read_text())
    assert index["skipped"] == {}
    # Optuna's matplotlib functions switch to the ggplot style; that must not leak out of the render.
    assert dict(matplotlib.rcParams) == style_before


@pytest.mark.parametrize(
    ("completed", "expected"),
    [
        (0, set()),
        (1, {"optimization_history", "accuracy_vs_health", "timeline"}),
        (2, set(STUDY_PLOTS)),
    ],
)
def test_small_studies_skip_with_reasons(tmp_path, completed, expected):
    study = make_study(completed)
    paths = render_study_plots(study, tmp_path)
    assert {p.stem for p in paths} == expected
    index = json.loads((tmp_path / "index.json").read_text())
    assert set(index["skipped"]) == set(STUDY_PLOTS) - expected
    for reason in index["skipped"].values():
        assert reason and not reason.startswith("error"), reason


def test_one_trial_study_reports_why_comparisons_are_missing(tmp_path):
    render_study_plots(make_study(1), tmp_path)
    skipped = json.loads((tmp_path / "index.json").read_text())["skipped"]
    assert "at least 2 completed trial(s), the study has 1" in skipped["param_importance"]
    assert "no parameter varied" in skipped["slice"]


def test_accuracy_vs_health_marks_the_pareto_front():
    fig, html = accuracy_vs_health(make_study(6))
    ax = fig.axes[0]
    trials, front = ax.collections[:2]
    # (0.9, 0.6) is beaten by (0.92, 0.65) and (0.8, 0.7) by (0.85, 0.8); the other four form the front.
    assert sorted(map(tuple, trials.get_offsets().tolist())) == [(0.8, 0.7), (0.9, 0.6)]
    assert len(front.get_offsets()) == 4
    assert ax.get_xlabel() == "Validation accuracy" and "health" in ax.get_ylabel()
    assert [trace.name for trace in html.data[:2]] == ["trial", "Pareto front"]


def test_timeline_puts_each_worker_on_its_own_lane():
    fig, html = timeline(make_study(4, extra_states=True))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["worker-0", "worker-1"]
    bars = [p for p in ax.patches if p.get_height() == pytest.approx(0.6)]
    assert len(bars) == 6  # every trial with start and end times, whatever its state
    assert min(b.get_x() for b in bars) == 0.0  # seconds since the first start
    assert {trace.name for trace in html.data} == {"complete", "pruned", "fail"}
