"""The per-layer table of a health report: gradient statistics joined with unit activity.

Gradients are recorded per parameterized layer, activity per activation module; an activation's units
are credited to the layer that produced its input (conv -> batch norm -> ReLU reports on the conv).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from nettune.health.activity import UnitActivity
from nettune.health.report import LayerHealth


def build_layers(
    grad_names: Sequence[str],
    grad_kinds: Sequence[str],
    grad_norms: np.ndarray,
    activity: Sequence[UnitActivity],
    grad_scores: Mapping[str, float],
) -> list[LayerHealth]:
    rows: dict[str, LayerHealth] = {}
    norms = np.asarray(grad_norms, dtype=np.float64)
    for column, (name, kind) in enumerate(zip(grad_names, grad_kinds, strict=True)):
        values = norms[:, column] if norms.ndim == 2 and norms.shape[1] > column else np.zeros(0)
        # Mean and max over finite samples; NaN/inf samples are counted by gradient_health instead.
        finite = values[np.isfinite(values)]
        rows[name] = LayerHealth(
            name=name,
            kind=kind,
            units=0,
            dead=None,
            saturated=None,
            grad_norm_mean=float(finite.mean()) if finite.size else None,
            grad_norm_max=float(finite.max()) if finite.size else None,
            grad_score=grad_scores.get(name),
        )
    extra: list[LayerHealth] = []
    for layer in activity:
        target = rows.get(layer.source) if layer.source else None
        if target is None or target.units:
            # No producing layer known, or it already has units (two activations after one layer).
            target = LayerHealth(layer.name, "activation", 0, None, None, None, None)
            extra.append(target)
        target.units = layer.units
        target.dead = float(layer.dead.mean()) if layer.units else 0.0
        target.saturated = float(layer.saturated.mean()) if layer.units else 0.0
        target.activation = layer.activation
    return [*rows.values(), *extra]
