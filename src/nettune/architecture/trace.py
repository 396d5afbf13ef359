"""Trace a model's layers in data-flow order with their output shapes: one dummy forward under no_grad.

Forward hooks on every leaf module record the call order and output shape; that order *is* the data flow
for the chain-shaped models nettune builds (ConvNet, LSTMNet), so consecutive layers are joined by edges.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from nettune.health.units import layer_kind, unit_spec, unwrap_compiled

DUMMY_BATCH = 2  # batch-norm in eval mode works with one, but 2 keeps any batch-dependent op honest


@dataclass
class TracedLayer:
    name: str  # module name, e.g. "features.0.0"
    module: nn.Module
    output_shape: tuple[int, ...]  # without the batch dimension
    output: torch.Tensor | None = None  # only when asked: a CPU float32 copy (an in-place op must not change it)


def dummy_input(input_shape: tuple[int, ...], family: str) -> torch.Tensor:
    if family == "lstm":
        # Token id 2 is the first real word: never padding, always inside any vocabulary of size >= 3.
        return torch.full((DUMMY_BATCH, *input_shape), 2, dtype=torch.long)
    return torch.zeros((DUMMY_BATCH, *input_shape))


def trace_layers(model: nn.Module, example: torch.Tensor, keep_outputs: bool = False) -> list[TracedLayer]:
    """`keep_outputs`: also keep each layer's output tensor (a forward-pass view shows them)."""
    model = unwrap_compiled(model)
    traced: list[TracedLayer] = []
    handles = []
    for name, module in model.named_modules():
        if _is_leaf(module) and not isinstance(module, nn.Identity):
            handles.append(module.register_forward_hook(_record(name, traced, keep_outputs)))
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        with torch.no_grad():
            device = next((p.device for p in model.parameters()), torch.device("cpu"))
            model(example.to(device))
    finally:
        for handle in handles:
            handle.remove()
        for module, training in modes:
            module.training = training
    return traced


def _is_leaf(module: nn.Module) -> bool:
    # An LSTM/GRU has no child modules but is one layer; containers (Sequential, the model) are not layers.
    return next(module.children(), None) is None


def _record(name: str, traced: list[TracedLayer], keep: bool) -> Callable[[nn.Module, Any, Any], None]:
    def hook(module: nn.Module, inputs: Any, output: Any) -> None:
        out = output[0] if isinstance(output, tuple) else output
        shape = tuple(out.shape[1:]) if isinstance(out, torch.Tensor) else ()
        kept = out.detach().float().cpu().clone() if keep and isinstance(out, torch.Tensor) else None
        traced.append(TracedLayer(name, module, tuple(int(d) for d in shape), kept))

    return hook


def layer_facts(module: nn.Module) -> dict[str, Any]:
    """Type-specific facts a viewer shows: kernel and filters, units, activation name, rates."""
    facts: dict[str, Any] = {"kind": layer_kind(module)}
    if isinstance(module, nn.Conv1d | nn.Conv2d | nn.Conv3d):
        facts |= {"filters": module.out_channels, "kernel_size": list(module.kernel_size),
                  "in_channels": module.in_channels}
    elif isinstance(module, nn.Linear):
        facts |= {"units": module.out_features, "in_features": module.in_features}
    elif isinstance(module, nn.LSTM | nn.GRU):
        facts |= {"units": module.hidden_size, "layers": module.num_layers, "bidirectional": module.bidirectional,
                  "in_features": module.input_size}
    elif isinstance(module, nn.Embedding):
        facts |= {"vocab_size": module.num_embeddings, "embedding_dim": module.embedding_dim}
    elif isinstance(module, nn.MaxPool2d | nn.AvgPool2d):
        size = module.kernel_size
        facts |= {"pool_size": list(size) if isinstance(size, tuple) else [size, size]}
    elif isinstance(module, nn.Dropout):
        facts |= {"rate": module.p}
    elif isinstance(module, nn.modules.batchnorm._BatchNorm):
        facts |= {"features": module.num_features}
    spec = unit_spec(module)
    if isinstance(module, nn.LSTM | nn.GRU):
        facts["activation"] = "tanh"  # the cell/hidden nonlinearity; gates are sigmoids
    elif spec is not None:
        facts["activation"] = spec.activation
    return facts
