"""HealthReport: the health verdict for one trained model, stored with the trial and shown in the UI."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from nettune.jsonsafe import json_safe


@dataclass
class LayerHealth:
    """One parameterized layer (or a monitored activation with no layer before it)."""

    name: str  # module name from model.named_modules(); stacked recurrent layers as "lstm.l0", "lstm.l1"
    kind: str  # conv, linear, lstm, gru, embedding, norm, activation, ...
    units: int  # units/filters whose activity was measured after this layer; 0 when none are
    dead: float | None  # share of those units never active on the probe; None when units == 0
    saturated: float | None  # share pinned at ±1 (bounded activations only); None when units == 0
    grad_norm_mean: float | None  # over sampled steps; None when the layer has no trainable params
    grad_norm_max: float | None
    activation: str | None = None  # the activation whose output was measured (relu, tanh, lstm, ...)
    grad_score: float | None = None  # this layer's gradient-health score


@dataclass
class HealthReport:
    metrics: dict[str, float]  # the six METRIC_NAMES, each in [0, 1]
    overall: float  # weighted mean of the six (METRIC_WEIGHTS)
    overfitting_gap: float  # train accuracy - validation accuracy (reported, not in `overall`)
    dead_fraction: float  # dead units / all monitored units
    saturated_fraction: float  # saturated units / units with bounded activations (tanh, LSTM, GRU)
    per_layer: list[LayerHealth]
    summary: str  # plain-language verdict: first sentence is the verdict, then the main issues
    issues: list[str] = field(default_factory=list)  # the problems named in the summary, one per item
    unmeasured: list[str] = field(default_factory=list)  # metrics without data; they hold the neutral score
    details: dict[str, dict[str, float]] = field(default_factory=dict)  # per-metric intermediate numbers

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serializable dict; NaN and inf become None so strict JSON parsers accept it."""
        return json_safe(asdict(self))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HealthReport:
        return cls(
            metrics={k: _float(v) for k, v in data["metrics"].items()},
            overall=_float(data["overall"]),
            overfitting_gap=_float(data["overfitting_gap"]),
            dead_fraction=_float(data["dead_fraction"]),
            saturated_fraction=_float(data["saturated_fraction"]),
            per_layer=[LayerHealth(**layer) for layer in data.get("per_layer", [])],
            summary=str(data.get("summary", "")),
            issues=list(data.get("issues", [])),
            unmeasured=list(data.get("unmeasured", [])),
            details={
                metric: {k: _float(v) for k, v in values.items()} for metric, values in data.get("details", {}).items()
            },
        )


def _float(value: Any) -> float:
    return math.nan if value is None else float(value)

