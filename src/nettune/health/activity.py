"""Per-unit activation statistics on a fixed probe batch: which units are dead and which are saturated.

One forward pass under `torch.no_grad()` in eval mode (so dropout is off and batch norm uses its running
statistics, as at inference), with temporary forward hooks that reduce each monitored output to per-unit
counts on the device. All counts come back to the host in one transfer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from nettune.health.units import (
    SATURATED_SHARE,
    SATURATION_LEVEL,
    SOURCE_TYPES,
    UnitSpec,
    recurrent_layer_name,
    unit_spec,
    unwrap_compiled,
)
from nettune.training.modes import eval_mode

_Hook = Callable[[nn.Module, Any, Any], None]
_SourceCell = list[tuple[str, nn.Module] | None]  # one slot: the producing layer that ran last


@dataclass
class UnitActivity:
    """Activity of one layer of units (channels of a conv output, features of a dense/recurrent output)."""

    name: str  # the monitored module; "act#1" when one activation module is called more than once
    activation: str  # relu, leaky_relu, elu, gelu, silu, tanh, lstm, gru
    source: str | None  # the conv/linear/recurrent layer that produced these units (gradient group name)
    bounded: bool
    active_fraction: np.ndarray  # (units,) share of probe entries (samples x positions) where active
    saturated_share: np.ndarray  # (units,) share of entries with |a| > 0.99; zeros when unbounded
    entries: int  # probe entries per unit

    @property
    def units(self) -> int:
        return int(self.active_fraction.shape[0])

    @property
    def dead(self) -> np.ndarray:
        """Units never active on the probe."""
        return self.active_fraction == 0.0

    @property
    def saturated(self) -> np.ndarray:
        """Bounded units pinned near ±1 on more than 99% of the probe."""
        if not self.bounded:
            return np.zeros(self.units, dtype=bool)
        return self.saturated_share > SATURATED_SHARE


@dataclass
class ProbeResult:
    layers: list[UnitActivity]
    output_dim: int | None  # the model's last output dimension: the number of classes for a classifier


def pooled_fractions(layers: list[UnitActivity]) -> tuple[float, float]:
    """(dead units / all units, saturated units / bounded units) over all layers; 0 where nothing to count."""
    units = sum(layer.units for layer in layers)
    bounded = sum(layer.units for layer in layers if layer.bounded)
    dead = sum(int(layer.dead.sum()) for layer in layers)
    saturated = sum(int(layer.saturated.sum()) for layer in layers)
    return (dead / units if units else 0.0, saturated / bounded if bounded else 0.0)


@dataclass
class _Record:
    name: str  # module name (or stacked-layer name); a repeated name means the module ran again
    spec: UnitSpec
    source: str | None
    active: torch.Tensor  # (units,) counts on device
    saturated: torch.Tensor
    entries: int


def measure_activity(model: nn.Module, probe_x: torch.Tensor, max_samples: int = 256) -> ProbeResult:
    """Run the probe through `model` and report per-unit activity for every monitored layer."""
    model = unwrap_compiled(model)
    records: list[_Record] = []
    last_source: _SourceCell = [None]
    handles = []
    for module_name, module in model.named_modules():
        name = module_name or "<root>"
        spec = unit_spec(module)
        if spec is not None and isinstance(module, nn.LSTM | nn.GRU):
            handles.append(module.register_forward_hook(_recurrent_hook(name, spec, records, last_source)))
        elif spec is not None:
            handles.append(module.register_forward_hook(_activation_hook(name, spec, records, last_source)))
        elif isinstance(module, SOURCE_TYPES):
            handles.append(module.register_forward_hook(_source_hook(name, last_source)))
    try:
        with eval_mode(model), torch.no_grad():
            output = model(probe_x[:max_samples])
    finally:
        for handle in handles:
            handle.remove()
    return ProbeResult(_to_host(records), _output_dim(output))


def _activation_hook(name: str, spec: UnitSpec, records: list[_Record], last_source: _SourceCell) -> _Hook:
    def hook(module: nn.Module, inputs: Any, output: Any) -> None:
        out = output[0] if isinstance(output, tuple) else output
        if not isinstance(out, torch.Tensor) or not out.is_floating_point() or out.numel() == 0:
            return
        source = last_source[0]
        records.append(_count(name, spec, source[0] if source else None, out, _unit_dim(out, source)))

    return hook


def _recurrent_hook(name: str, spec: UnitSpec, records: list[_Record], last_source: _SourceCell) -> _Hook:
    def hook(module: nn.Module, inputs: Any, output: Any) -> None:
        seq, state = output
        hidden = state[0] if isinstance(state, tuple) else state  # LSTM: (h_n, c_n); GRU: h_n
        seq = seq.data if isinstance(seq, nn.utils.rnn.PackedSequence) else seq
        layers, dirs = module.num_layers, 2 if module.bidirectional else 1
        # Lower stacked layers are only visible through their final hidden state h_n: fewer entries per
        # unit than the full output sequence, but enough to see a unit stuck at 0 or at ±1.
        if hidden.dim() == 2:
            hidden = hidden.unsqueeze(1)  # unbatched input: (layers*dirs, H) -> (layers*dirs, 1, H)
        for layer in range(layers - 1):
            h = hidden[layer * dirs : (layer + 1) * dirs].permute(1, 0, 2).reshape(hidden.shape[1], -1)
            lname = recurrent_layer_name(name, layers, layer)
            records.append(_count(lname, spec, lname, h, h.dim() - 1))
        top = recurrent_layer_name(name, layers, layers - 1)
        records.append(_count(top, spec, top, seq, seq.dim() - 1))
        last_source[0] = (top, module)

    return hook


def _source_hook(name: str, last_source: _SourceCell) -> _Hook:
    def hook(module: nn.Module, inputs: Any, output: Any) -> None:
        last_source[0] = (name, module)

    return hook


def _unit_dim(out: torch.Tensor, source: tuple[str, nn.Module] | None) -> int:
    """Which axis holds the units: channels (dim 1) for conv maps, features (last dim) otherwise."""
    if out.dim() >= 4:
        return 1  # (N, C, H, W) or (N, C, D, H, W)
    if out.dim() == 3 and source is not None and isinstance(source[1], nn.Conv1d):
        return 1  # (N, C, L)
    return out.dim() - 1  # (N, F) or a sequence (N, T, F) / (T, N, F)


def _count(name: str, spec: UnitSpec, source: str | None, out: torch.Tensor, unit_dim: int) -> _Record:
    reduce = [d for d in range(out.dim()) if d != unit_dim]
    units = out.shape[unit_dim]
    values = out.abs() if spec.bounded else out
    # int32 sums: measurably cheaper than int64 on CPU, and exact up to 2**31 entries per unit.
    active = (values > spec.active_above).sum(dim=reduce, dtype=torch.int32)
    saturated = (
        (values > SATURATION_LEVEL).sum(dim=reduce, dtype=torch.int32) if spec.bounded else torch.zeros_like(active)
    )
    entries = out.numel() // max(units, 1)
    return _Record(name, spec, source, active, saturated, entries)


def _to_host(records: list[_Record]) -> list[UnitActivity]:
    if not records:
        return []
    # One device->host copy for all layers: counts are exact small integers, so float64 is lossless.
    flat = torch.cat([torch.cat([r.active, r.saturated]).double() for r in records]).cpu().numpy()
    calls: dict[str, int] = {}
    for record in records:
        calls[record.name] = calls.get(record.name, 0) + 1
    seen: dict[str, int] = {}
    out: list[UnitActivity] = []
    offset = 0
    for record in records:
        units = record.active.shape[0]
        active = flat[offset : offset + units] / max(record.entries, 1)
        saturated = flat[offset + units : offset + 2 * units] / max(record.entries, 1)
        offset += 2 * units
        index = seen.get(record.name, 0)
        seen[record.name] = index + 1
        name = record.name if calls[record.name] == 1 else f"{record.name}#{index}"
        out.append(
            UnitActivity(
                name, record.spec.activation, record.source, record.spec.bounded, active, saturated, record.entries
            )
        )
    return out


def _output_dim(output: Any) -> int | None:
    out = output[0] if isinstance(output, tuple | list) else output
    if isinstance(out, torch.Tensor) and out.dim() >= 2:
        return int(out.shape[-1])
    return None

