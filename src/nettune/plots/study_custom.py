"""Study plots Optuna does not have: accuracy vs health with the Pareto front, and the worker timeline.

Both read the user_attrs the study loop sets on each trial (val_accuracy, health, worker, started_at,
finished_at) and are drawn in matplotlib (PNG) and plotly (HTML) from the same extracted rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import optuna
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter
from optuna.trial import TrialState

from nettune.plots.style import BAD_COLOR, GOOD_COLOR, WARN_COLOR, PlotSkipped, new_figure

STATE_COLORS = {"COMPLETE": GOOD_COLOR, "PRUNED": WARN_COLOR, "FAIL": BAD_COLOR, "RUNNING": "#7f7f7f",
                "WAITING": "#c7c7c7"}


def pareto_mask(points: np.ndarray) -> np.ndarray:
    """Rows of (n, 2) not dominated when both columns are maximized (ties do not dominate)."""
    keep = np.ones(len(points), dtype=bool)
    for i, point in enumerate(points):
        dominated_by = np.all(points >= point, axis=1) & np.any(points > point, axis=1)
        keep[i] = not dominated_by.any()
    return keep


def accuracy_vs_health(study: optuna.Study) -> tuple[Figure, Any]:
    rows = [(t.number, float(t.user_attrs["val_accuracy"]), float(t.user_attrs["health"]))
            for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
            if isinstance(t.user_attrs.get("val_accuracy"), int | float)
            and isinstance(t.user_attrs.get("health"), int | float)]
    if not rows:
        raise PlotSkipped("no completed trial has both val_accuracy and health recorded")
    numbers = [r[0] for r in rows]
    points = np.array([[r[1], r[2]] for r in rows])
    front = pareto_mask(points)
    order = np.argsort(points[front, 0])
    front_pts = points[front][order]

    fig = new_figure(7.5, 5.5)
    ax = fig.subplots()
    ax.scatter(points[~front, 0], points[~front, 1], color="#9ecae1", edgecolor="#3182bd", s=40, label="trial")
    ax.scatter(front_pts[:, 0], front_pts[:, 1], color=BAD_COLOR, s=55, zorder=3, label="Pareto front")
    ax.plot(front_pts[:, 0], front_pts[:, 1], color=BAD_COLOR, linewidth=1.2, drawstyle="steps-post")
    for number, (acc, health) in zip(numbers, points, strict=True):
        ax.annotate(str(number), (acc, health), textcoords="offset points", xytext=(4, 4), fontsize=7)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("Validation accuracy")
    ax.set_ylabel("Overall health score (0–1)")
    ax.set_title("Accuracy vs health (labels: trial number; red: no trial beats these on both)")
    ax.margins(0.12)  # keep edge points (and their labels) clear of the axes and the legend
    ax.legend(loc="best")
    fig.suptitle("Accuracy vs model health")

    import plotly.graph_objects as go

    html = go.Figure()
    for mask, name, color in ((~front, "trial", "#3182bd"), (front, "Pareto front", BAD_COLOR)):
        html.add_trace(go.Scatter(
            x=points[mask, 0], y=points[mask, 1], mode="markers", name=name, marker={"color": color, "size": 10},
            text=[f"trial {n}" for n, m in zip(numbers, mask, strict=True) if m],
            hovertemplate="%{text}<br>val accuracy %{x:.2%}<br>health %{y:.3f}<extra></extra>"))
    html.add_trace(go.Scatter(x=front_pts[:, 0], y=front_pts[:, 1], mode="lines", line={"shape": "hv",
                              "color": BAD_COLOR}, showlegend=False, hoverinfo="skip"))
    html.update_layout(title="Accuracy vs model health (Pareto front in red)", xaxis_title="Validation accuracy",
                       yaxis_title="Overall health score (0–1)", xaxis_tickformat=".0%")
    return fig, html


@dataclass
class _Span:
    number: int
    worker: str
    start: float  # seconds since the first trial started
    end: float
    state: str


def _spans(study: optuna.Study) -> list[_Span]:
    raw: list[tuple[int, str, float, float, str]] = []
    for t in study.get_trials(deepcopy=False):
        start, end = t.user_attrs.get("started_at"), t.user_attrs.get("finished_at")
        if not (isinstance(start, int | float) and isinstance(end, int | float) and start > 0):
            start, end = _timestamp(t.datetime_start), _timestamp(t.datetime_complete)
        if start is None or end is None or end < start:
            continue
        raw.append((t.number, str(t.user_attrs.get("worker", "local")), float(start), float(end), t.state.name))
    if not raw:
        return []
    origin = min(r[2] for r in raw)
    return [_Span(n, w, s - origin, e - origin, state) for n, w, s, e, state in raw]


def _timestamp(value: datetime | None) -> float | None:
    return value.timestamp() if value is not None else None


def timeline(study: optuna.Study) -> tuple[Figure, Any]:
    spans = _spans(study)
    if not spans:
        raise PlotSkipped("no finished trial has start and end times")
    workers = sorted({s.worker for s in spans})
    lane = {w: i for i, w in enumerate(workers)}
    fig = new_figure(10, 1.2 + 0.55 * len(workers))
    ax = fig.subplots()
    for span in spans:
        width = max(span.end - span.start, 1e-3)
        ax.barh(lane[span.worker], width, left=span.start, height=0.6,
                color=STATE_COLORS.get(span.state, "#7f7f7f"), edgecolor="black", linewidth=0.5)
        ax.text(span.start + width / 2, lane[span.worker], str(span.number), ha="center", va="center", fontsize=7)
    ax.set_yticks(range(len(workers)), labels=workers)
    ax.set_xlabel("Seconds since the first trial started")
    ax.set_ylabel("Worker")
    ax.set_title("Which worker ran which trial, and when (labels: trial number)")
    states = sorted({s.state for s in spans})
    ax.legend(handles=[Patch(color=STATE_COLORS.get(s, "#7f7f7f"), label=s.lower()) for s in states],
              loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.grid(axis="y", visible=False)
    fig.suptitle("Trial timeline")

    import plotly.graph_objects as go

    html = go.Figure()
    for state in states:
        chosen = [s for s in spans if s.state == state]
        html.add_trace(go.Bar(
            y=[s.worker for s in chosen], x=[max(s.end - s.start, 1e-3) for s in chosen],
            base=[s.start for s in chosen], orientation="h", name=state.lower(),
            marker={"color": STATE_COLORS.get(state, "#7f7f7f")}, text=[str(s.number) for s in chosen],
            hovertemplate="trial %{text}<br>start %{base:.1f}s, duration %{x:.1f}s<extra></extra>"))
    html.update_layout(title="Trial timeline per worker", barmode="overlay", xaxis_title="Seconds since first start",
                       yaxis_title="Worker")
    return fig, html


CUSTOM_PLOTS = {"accuracy_vs_health": accuracy_vs_health, "timeline": timeline}
