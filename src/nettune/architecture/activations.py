"""One real example through a trained model, layer by layer, as compact summaries a browser can draw.

    summary = forward_pass(load_model(trial_dir), x, label=y, class_names=names, normalization=norm)

Every traced layer (the same layers, in the same order, as describe()'s graph: layer i is node "n{i}") gets
one summary, small by construction: feature maps keep their most active channels, downsampled, and vectors
keep at most a fixed number of units. Values are quantised to uint8 per layer (with the layer's min and max, so
a viewer can map them back) and sent as base64: a whole CNN is a few tens of kilobytes of JSON.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from nettune.architecture.trace import trace_layers
from nettune.data.display import display_image

MAX_CHANNELS = 16  # feature maps kept per conv-shaped layer (the most active ones)
MAX_MAP_SIDE = 32  # maps are average-pooled down to at most this many pixels a side
MAX_UNITS = 64  # units kept per vector (dense, LSTM) layer
MAX_INPUT_SIDE = 64  # the input image is downsampled to at most this many pixels a side
MAX_TOKENS = 64  # the last real tokens of a review shown as the input
LIMITS = {"channels": MAX_CHANNELS, "map_side": MAX_MAP_SIDE, "units": MAX_UNITS, "input_side": MAX_INPUT_SIDE,
          "tokens": MAX_TOKENS}


def forward_pass(model: nn.Module, x: torch.Tensor, *, label: int | None, class_names: Sequence[str],
                 normalization: dict[str, Any] | None = None,
                 vocabulary: Sequence[str] | None = None) -> dict[str, Any]:
    """`x` is one example without the batch dimension: (C, H, W) floats or (T,) token ids."""
    batch = x.unsqueeze(0)
    layers = trace_layers(model, batch, keep_outputs=True)
    with torch.no_grad():
        logits = model(batch.to(next((p.device for p in model.parameters()), torch.device("cpu"))))
    probabilities = torch.softmax(logits.detach().float().cpu()[0], dim=0)
    predicted = int(torch.argmax(probabilities))
    names = [class_names[i] if i < len(class_names) else str(i) for i in range(probabilities.numel())]
    return {
        "input": _input_summary(x, normalization, vocabulary),
        "layers": [{"id": f"n{index}", "name": layer.name, "output_shape": list(layer.output_shape),
                    **layer_summary(layer.output[0] if layer.output is not None else None)}
                   for index, layer in enumerate(layers, start=1)],
        "prediction": {"label": predicted, "name": names[predicted],
                       "probabilities": [round(float(p), 5) for p in probabilities],
                       "class_names": names, "true_label": label,
                       "true_name": names[label] if label is not None and 0 <= label < len(names) else None},
        "limits": LIMITS,
    }


def layer_summary(out: torch.Tensor | None) -> dict[str, Any]:
    """One layer's output (no batch dimension) as maps, units or nothing drawable."""
    if out is None or out.numel() == 0:
        return {"type": "none"}
    if out.dim() >= 3:
        return _maps(out.reshape(-1, out.shape[-2], out.shape[-1]))
    if out.dim() == 2:  # (steps, features): sequences are left-padded, so the last step has read the review
        return {**_units(out[-1]), "step": "last"}
    return _units(out.reshape(-1))


def _maps(maps: torch.Tensor) -> dict[str, Any]:
    strength = maps.abs().mean(dim=(1, 2))
    keep = torch.argsort(strength, descending=True)[:MAX_CHANNELS].sort().values
    chosen = maps[keep]
    height, width = min(MAX_MAP_SIDE, chosen.shape[1]), min(MAX_MAP_SIDE, chosen.shape[2])
    if (height, width) != tuple(chosen.shape[1:]):
        chosen = F.adaptive_avg_pool2d(chosen.unsqueeze(0), (height, width))[0]
    low, high, data = quantize(chosen.numpy())
    return {"type": "maps", "channels_total": int(maps.shape[0]), "kept": [int(c) for c in keep],
            "height": height, "width": width, "min": low, "max": high, "data": data}


def _units(vector: torch.Tensor) -> dict[str, Any]:
    if vector.numel() > MAX_UNITS:  # the strongest units, in their own order
        keep = torch.argsort(vector.abs(), descending=True)[:MAX_UNITS].sort().values
    else:
        keep = torch.arange(vector.numel())
    low, high, data = quantize(vector[keep].numpy())
    return {"type": "units", "units_total": int(vector.numel()), "kept": [int(u) for u in keep],
            "min": low, "max": high, "data": data}


def quantize(values: np.ndarray) -> tuple[float, float, str]:
    """float array -> (min, max, base64 of uint8 in C order); value = min + q / 255 * (max - min)."""
    values = np.nan_to_num(values.astype(np.float32), nan=0.0, posinf=0.0, neginf=0.0)
    low, high = (float(values.min()), float(values.max())) if values.size else (0.0, 0.0)
    span = high - low
    scaled = np.zeros(values.shape, np.uint8) if span <= 0 else np.rint((values - low) / span * 255).astype(np.uint8)
    return round(low, 6), round(high, 6), base64.b64encode(scaled.tobytes()).decode("ascii")


def _input_summary(x: torch.Tensor, normalization: dict[str, Any] | None,
                   vocabulary: Sequence[str] | None) -> dict[str, Any]:
    if x.dim() == 1:  # token ids, 0 = padding
        ids = [int(t) for t in x.tolist() if int(t) != 0]
        shown = ids[-MAX_TOKENS:]
        words = [vocabulary[t] if vocabulary is not None and t < len(vocabulary) else f"#{t}" for t in shown]
        return {"type": "tokens", "tokens": words, "tokens_total": len(ids)}
    image = x.float()
    height, width = min(MAX_INPUT_SIDE, image.shape[-2]), min(MAX_INPUT_SIDE, image.shape[-1])
    if (height, width) != tuple(image.shape[-2:]):
        image = F.adaptive_avg_pool2d(image.unsqueeze(0), (height, width))[0]
    pixels = display_image(image.numpy(), normalization)  # (H, W) or (H, W, 3) in [0, 1]
    channels = 1 if pixels.ndim == 2 else 3
    data = np.rint(np.clip(pixels, 0.0, 1.0) * 255).astype(np.uint8)
    return {"type": "image", "channels": channels, "height": height, "width": width,
            "data": base64.b64encode(data.tobytes()).decode("ascii")}
