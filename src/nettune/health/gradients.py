"""Per-layer gradient norms, sampled during training without stalling the device.

A sample is one fused `torch._foreach_norm` over all gradients plus one `stack`: two device ops and no
host sync. The rows stay on the device until `flush()` (called once per epoch), which copies them all in a
single transfer. Per-layer and global norms are then assembled on the host with numpy, where it costs the
training loop nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import torch
from torch import nn

from nettune.health.units import layer_kind, recurrent_layer_name

_RECURRENT_LAYER = re.compile(r"_l(\d+)")


class GradRecorder:
    """Records gradient norms per parameterized layer ("group") and globally.

    A group is a module that owns parameters directly; a stacked LSTM/GRU is split into one group per
    layer, so vanishing gradients through recurrent depth show up. Frozen parameters are ignored.

    In the recorded matrices NaN means "not measured" (the layer had no gradient on that step, e.g. an
    unused branch) and +inf means "the gradient was NaN or inf".
    """

    def __init__(self, model: nn.Module) -> None:
        layers = parameter_groups(model)
        self.names: list[str] = [layer.name for layer in layers]
        self.kinds: list[str] = [layer.kind for layer in layers]
        # Parameters ordered group by group, so per-layer sums are contiguous slices (np.add.reduceat).
        self._params: list[nn.Parameter] = [p for layer in layers for _, p in layer.params]
        sizes = [len(layer.params) for layer in layers]
        self._starts = np.cumsum([0, *sizes[:-1]]).astype(np.int64)
        devices = {p.device for p in self._params}
        self._device = next(iter(devices)) if len(devices) == 1 else None
        self._pending: list[tuple[int, torch.Tensor, list[int]]] = []
        self._blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def sample(self, step: int) -> None:
        """Queue the current gradients' norms (device-side only; no sync)."""
        if not self._params:
            return
        grads: list[torch.Tensor] = []
        missing: list[int] = []
        for i, param in enumerate(self._params):
            grad = param.grad
            if grad is None:
                missing.append(i)
                grad = torch.zeros((), device=param.device)  # placeholder; overwritten with NaN at flush
            elif grad.is_sparse:
                grad = grad.coalesce().values()
            grads.append(grad)
        norms = torch._foreach_norm(grads)
        if self._device is None:  # parameters spread over devices: gather the scalars on one
            norms = [n.to(self._params[0].device) for n in norms]
        self._pending.append((step, torch.stack(norms).float(), missing))

    def flush(self) -> None:
        """Copy queued samples to the host in one transfer and convert them to per-layer norms."""
        if not self._pending:
            return
        steps = np.array([step for step, _, _ in self._pending], dtype=np.int64)
        per_param = torch.stack([row for _, row, _ in self._pending]).cpu().numpy().astype(np.float64)
        per_param[~np.isfinite(per_param)] = np.inf
        for row, (_, _, missing) in enumerate(self._pending):
            per_param[row, missing] = np.nan
        self._pending.clear()
        present = ~np.isnan(per_param)
        squares = np.where(present, per_param, 0.0) ** 2
        counts = np.add.reduceat(present, self._starts, axis=1)
        layer = np.sqrt(np.add.reduceat(squares, self._starts, axis=1))
        layer[counts == 0] = np.nan
        total = np.sqrt(squares.sum(axis=1))
        total[present.sum(axis=1) == 0] = np.nan
        self._blocks.append((steps, layer, total))

    @property
    def steps(self) -> np.ndarray:
        """Global step (1-based) of each flushed sample."""
        return self._concat(0, (0,))

    @property
    def layer_norms(self) -> np.ndarray:
        """(samples, layers) gradient L2 norms, columns in `names` order."""
        return self._concat(1, (0, len(self.names)))

    @property
    def global_norms(self) -> np.ndarray:
        """(samples,) L2 norm over all trainable parameters."""
        return self._concat(2, (0,))

    def _concat(self, field: int, empty_shape: tuple[int, ...]) -> np.ndarray:
        if not self._blocks:
            return np.zeros(empty_shape, dtype=np.int64 if field == 0 else np.float64)
        return np.concatenate([block[field] for block in self._blocks], axis=0)

    def series(self) -> GradientSeries:
        """Everything sampled so far (queued samples are flushed first)."""
        self.flush()
        return GradientSeries(list(self.names), list(self.kinds), self.steps, self.layer_norms)


class GradientSeries(NamedTuple):
    """Sampled per-layer gradient norms, as handed to readers that did not record them (the plot data)."""

    names: list[str]
    kinds: list[str]
    steps: np.ndarray  # (S,) global steps, 1-based
    norms: np.ndarray  # (S, L) in `names` order; NaN = no gradient that step, +inf = non-finite

    @classmethod
    def empty(cls) -> GradientSeries:
        return cls([], [], np.zeros(0, dtype=np.int64), np.zeros((0, 0)))


@dataclass
class ParamGroup:
    """One parameterized layer: its name, kind and (parameter name, parameter) pairs in module order."""

    name: str
    kind: str
    params: list[tuple[str, nn.Parameter]] = field(default_factory=list)


def parameter_groups(model: nn.Module) -> list[ParamGroup]:
    """The trainable parameters grouped by layer, input to output: the one grouping every per-layer view uses."""
    groups: dict[str, ParamGroup] = {}
    seen: set[int] = set()
    for module_name, module in model.named_modules():
        for param_name, param in module.named_parameters(recurse=False):
            if not param.requires_grad or id(param) in seen:
                continue  # tied weights are counted once, with the first module that owns them
            seen.add(id(param))
            name = _group_name(module_name, module, param_name)
            groups.setdefault(name, ParamGroup(name, layer_kind(module))).params.append((param_name, param))
    return list(groups.values())


def _group_name(module_name: str, module: nn.Module, param_name: str) -> str:
    name = module_name or "<root>"
    if isinstance(module, nn.LSTM | nn.GRU):
        match = _RECURRENT_LAYER.search(param_name)
        if match:
            return recurrent_layer_name(name, module.num_layers, int(match.group(1)))
    return name
