"""What the recorder captures from the live model: weight samples and activation maps.

Both are small by construction: a fixed random subset of each weight tensor (the same positions at the
start and the end, so the two histograms compare like with like) and a few channels/units of a few probe
samples. Nothing here touches the global RNG, parameters or optimizer state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from nettune.training.modes import eval_mode

WEIGHT_SAMPLES = 2048  # per tensor: a smooth 40-bin histogram, 8 KB of float32
MAP_CHANNELS = 8  # feature maps shown per conv block
SEQ_TOKENS = 40  # last tokens of a review shown in the LSTM hidden-state plot (the ones the model read last)
SEQ_UNITS = 24  # hidden units shown per review

_WEIGHTED = (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.Linear, nn.LSTM, nn.GRU, nn.Embedding)
_POOLING = (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d, nn.AvgPool2d, nn.AdaptiveAvgPool2d)


@dataclass
class WeightSample:
    label: str  # "features.0.0.weight"
    layer: str  # "features.0.0"
    kind: str  # "weight" (matrices, kernels, embeddings) or "bias" (vectors)
    numel: int
    index: np.ndarray  # flat positions sampled
    start: np.ndarray  # values at those positions at the start of training
    end: np.ndarray | None = None


def sample_weights(model: nn.Module, limit: int = WEIGHT_SAMPLES) -> list[WeightSample]:
    """Positions chosen by a private seeded generator: reproducible and leaves torch's RNG alone."""
    rng = np.random.default_rng(0)
    out: list[WeightSample] = []
    for module_name, module in model.named_modules():
        if not isinstance(module, _WEIGHTED):
            continue
        for param_name, param in module.named_parameters(recurse=False):
            numel = param.numel()
            index = np.sort(rng.choice(numel, size=min(limit, numel), replace=False)) if numel else np.zeros(0, int)
            kind = "weight" if param.dim() >= 2 else "bias"
            out.append(WeightSample(f"{module_name}.{param_name}", module_name, kind, numel, index,
                                    _take(param, index)))
    return out


def finish_weights(model: nn.Module, samples: list[WeightSample]) -> None:
    params = dict(model.named_parameters())
    for sample in samples:
        param = params.get(sample.label)
        sample.end = _take(param, sample.index) if param is not None else None


def _take(param: torch.Tensor, index: np.ndarray) -> np.ndarray:
    flat = param.detach().reshape(-1)
    picked = flat[torch.from_numpy(index).to(flat.device)] if index.size else flat[:0]
    return picked.float().cpu().numpy()


def activation_targets(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """Modules whose outputs the activation plot shows: one per conv block, or the recurrent layers.

    For the ConvNet layout (features = blocks of conv/bn/act + pool) the block's last module before the
    pooling is taken: the activated feature maps at full block resolution. Other CNNs fall back to every
    Conv2d output.
    """
    recurrent = [(name, m) for name, m in model.named_modules() if isinstance(m, nn.LSTM | nn.GRU)]
    if recurrent:
        return recurrent
    features = getattr(model, "features", None)
    targets: list[tuple[str, nn.Module]] = []
    if isinstance(features, nn.Sequential):
        for block_index, block in enumerate(features):
            children = list(block.children()) if isinstance(block, nn.Sequential) else [block]
            kept = [(i, m) for i, m in enumerate(children) if not isinstance(m, _POOLING)]
            if kept:
                i, module = kept[-1]
                suffix = f".{i}" if isinstance(block, nn.Sequential) else ""
                targets.append((f"features.{block_index}{suffix}", module))
    if not targets:
        targets = [(name, m) for name, m in model.named_modules() if isinstance(m, nn.Conv2d)]
    return targets


def capture_activations(model: nn.Module, x: torch.Tensor) -> list[tuple[str, torch.Tensor]]:
    """One no-grad, eval-mode forward over `x`; the targets' outputs on the CPU as float32."""
    outputs: list[tuple[str, torch.Tensor]] = []
    handles = []
    for name, module in activation_targets(model):
        handles.append(module.register_forward_hook(_keep_output(name, outputs)))
    try:
        with eval_mode(model), torch.no_grad():
            model(x)
    finally:
        for handle in handles:
            handle.remove()
    return outputs


def reduce_feature_maps(out: torch.Tensor, channels: int = MAP_CHANNELS) -> tuple[np.ndarray, list[int]]:
    """(N, C, H, W) -> the `channels` most active channels (by mean |a| over the samples), float16."""
    strength = out.abs().mean(dim=(0, 2, 3))
    keep = torch.argsort(strength, descending=True)[:channels].sort().values
    return out[:, keep].contiguous().numpy().astype(np.float16), [int(c) for c in keep]


def reduce_sequence(out: torch.Tensor, tokens: int = SEQ_TOKENS,
                    units: int = SEQ_UNITS) -> tuple[np.ndarray, list[int]]:
    """(N, T, F) -> the last `tokens` steps of the `units` units that vary most across steps, float16."""
    window = out[:, -tokens:]
    spread = window.float().var(dim=1).mean(dim=0) if window.shape[1] > 1 else window.abs().mean(dim=(0, 1))
    keep = torch.argsort(spread, descending=True)[:units].sort().values
    return window[:, :, keep].contiguous().numpy().astype(np.float16), [int(u) for u in keep]


def _keep_output(name: str, outputs: list[tuple[str, torch.Tensor]]) -> Callable[[nn.Module, Any, Any], None]:
    def hook(module: nn.Module, inputs: Any, output: Any) -> None:
        out = output[0] if isinstance(output, tuple) else output
        if isinstance(out, torch.Tensor):
            outputs.append((name, out.detach().float().cpu().contiguous()))

    return hook

