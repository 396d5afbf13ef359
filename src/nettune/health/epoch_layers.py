"""Per-epoch, per-layer gradient norms and weight/bias statistics: what the dashboard's live gradient-flow and
weights views draw while a trial trains, and what a finished trial's replay steps through.

Cost: nothing per batch. The gradient norms are the health monitor's own samples, which its flush at the epoch's
end has just brought to the host (no second pass over the gradients). The weight statistics are a few reductions
per layer on the device, stacked and copied to the host in one transfer, once per epoch.

Size: at most MAX_LAYERS layers (evenly spaced from input to output, so both ends are always shown), floats rounded
to SIGNIFICANT digits and HIST_BINS bins per histogram (progress/layer_stats.py has the entry's shape).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import torch

from nettune.health.gradients import ParamGroup, parameter_groups
from nettune.health.monitor import HealthMonitor
from nettune.health.units import unwrap_compiled
from nettune.progress.layer_stats import HIST_BINS, LAYER_STATS_FILE, PARAM_KINDS, STATS, rounded, shown_layers
from nettune.training.hooks import EpochEnd, TrainContext


class EpochLayerStats:
    """Measures one entry per finished epoch; `measure` is what the progress reporter calls at each epoch end.

    It must be called after the HealthMonitor's own epoch end (the monitor comes first in the trainer's hooks),
    which is when the monitor has flushed the epoch's gradient samples.
    """

    def __init__(self, monitor: HealthMonitor) -> None:
        self.monitor = monitor
        self.epochs: list[dict[str, Any]] = []
        self._groups: list[ParamGroup] | None = None
        self._model: torch.nn.Module | None = None
        self._last_step = 0  # gradient samples up to this global step belonged to earlier epochs

    def measure(self, ctx: TrainContext, epoch: EpochEnd) -> dict[str, Any]:
        model = unwrap_compiled(ctx.model)
        if self._groups is None or self._model is not model:
            self._model, self._groups, self._last_step, self.epochs = model, parameter_groups(model), 0, []
        keep = shown_layers(len(self._groups))
        groups = [self._groups[i] for i in keep]
        grad_mean, grad_max = self._gradients([g.name for g in groups])
        entry: dict[str, Any] = {
            "epoch": epoch.epoch,
            "layers_total": len(self._groups),
            "layers": [g.name for g in groups],
            "kinds": [g.kind for g in groups],
            "grad_mean": grad_mean,
            "grad_max": grad_max,
            **_param_stats(groups),
        }
        self.epochs = [e for e in self.epochs if e["epoch"] != epoch.epoch] + [entry]
        return entry

    def save(self, trial_dir: Path) -> None:
        """Write every epoch's entry (none measured: nothing written, so the trial shows no replay)."""
        if not self.epochs:
            return
        trial_dir.mkdir(parents=True, exist_ok=True)
        (trial_dir / LAYER_STATS_FILE).write_text(json.dumps({"epochs": self.epochs}, separators=(",", ":")))

    def _gradients(self, names: list[str]) -> tuple[list[float | None], list[float | None]]:
        """Mean and max of each layer's sampled gradient norm over this epoch's samples (the monitor's)."""
        steps, norms = self.monitor.grad_steps, self.monitor.grad_norms
        columns = {name: i for i, name in enumerate(self.monitor.grad_layer_names)}
        rows = steps > self._last_step
        if steps.size:
            self._last_step = int(steps.max())
        means: list[float | None] = []
        peaks: list[float | None] = []
        for name in names:
            column = columns.get(name)
            values = norms[rows, column] if column is not None and norms.ndim == 2 else np.zeros(0)
            finite = values[np.isfinite(values)]
            means.append(rounded(float(finite.mean())) if finite.size else None)
            peaks.append(rounded(float(finite.max())) if finite.size else None)
        return means, peaks


def _param_stats(groups: list[ParamGroup]) -> dict[str, dict[str, list[Any]]]:
    """Weight and bias statistics of each layer: reduced on the device, read back in one transfer."""
    slots: list[tuple[int, str]] = []  # (layer position, parameter kind) of each computed row
    rows: list[torch.Tensor] = []
    with torch.no_grad():
        for position, group in enumerate(groups):
            for kind in PARAM_KINDS:
                tensors = [p for name, p in group.params if (name.startswith("bias") == (kind == "bias"))]
                if tensors:
                    slots.append((position, kind))
                    rows.append(_summary_row(tensors))
    table = torch.stack(rows).cpu().double().numpy() if rows else np.zeros((0, len(STATS) + HIST_BINS))
    out: dict[str, dict[str, list[Any]]] = {
        kind: {stat: [None] * len(groups) for stat in (*STATS, "hist")} for kind in PARAM_KINDS
    }
    for (position, kind), row in zip(slots, table, strict=True):
        for i, stat in enumerate(STATS):
            out[kind][stat][position] = rounded(float(row[i]))
        out[kind]["hist"][position] = [int(c) for c in row[len(STATS):]]
    return out


def _summary_row(tensors: list[torch.Tensor]) -> torch.Tensor:
    """mean, std, min, max and a HIST_BINS histogram over [min, max] of the finite values, all on the device."""
    flat = torch.cat([t.detach().flatten().float() for t in tensors])
    finite = torch.isfinite(flat)
    clean = torch.where(finite, flat, torch.zeros((), device=flat.device))
    low, high = clean.aminmax()
    span = (high - low).clamp_min(1e-12)  # a constant tensor (a zero bias) lands in the first bin
    index = ((clean - low) / span * HIST_BINS).long().clamp_(0, HIST_BINS - 1)
    # index_add_ rather than bincount/histc: both need the host to know a size or range (a sync on a GPU).
    hist = torch.zeros(HIST_BINS, device=flat.device).index_add_(0, index, finite.float())
    # Statistics over the raw values, so a NaN weight shows as an unmeasured (null) mean instead of hiding.
    stats = torch.stack([flat.mean(), flat.std(correction=0), flat.min(), flat.max()])
    return torch.cat([stats, hist])
