"""Parity check: onnxruntime must reproduce the PyTorch model's logits on fresh inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

from nettune.export.errors import ExportError
from nettune.space.model_config import ModelConfig

# Batch sizes checked: 1 and 5 differ from the export example (2), so a batch axis that was accidentally
# baked in as a constant fails here rather than in production.
CHECK_BATCHES = (1, 5)


def sample_inputs(cfg: ModelConfig, batch: int, seed: int) -> torch.Tensor:
    """Inputs the model accepts: standard-normal images or token ids over the whole vocabulary."""
    generator = torch.Generator().manual_seed(seed)
    if cfg.family == "lstm":
        return torch.randint(0, cfg.vocab_size, (batch, *cfg.input_shape), generator=generator)
    return torch.randn((batch, *cfg.input_shape), generator=generator)


def check_parity(model: nn.Module, cfg: ModelConfig, onnx_path: Path, atol: float = 1e-4) -> float:
    """Max |onnx - torch| over the checks; raises the exporter's error type when it exceeds `atol`."""
    import onnxruntime as ort

    try:
        session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types for an invalid graph
        raise ExportError(f"onnxruntime cannot load the exported model: {exc}") from exc
    input_name = session.get_inputs()[0].name
    worst = 0.0
    model.eval()
    for seed, batch in enumerate(CHECK_BATCHES, start=1):
        x = sample_inputs(cfg, batch, seed)
        with torch.no_grad():
            expected = model(x).float().numpy()
        try:
            (got,) = session.run(None, {input_name: x.numpy()})[:1]
        except Exception as exc:
            raise ExportError(f"onnxruntime failed on a batch of {batch}: {exc}") from exc
        if got.shape != expected.shape:
            raise ExportError(f"ONNX output shape {got.shape} != PyTorch {expected.shape} for a batch of {batch}")
        diff = float(np.max(np.abs(got - expected))) if expected.size else 0.0
        worst = max(worst, diff)
        if not np.isfinite(diff) or diff > atol:
            raise ExportError(f"ONNX output differs from PyTorch by {diff:.2e} (> {atol:g}) on a batch of {batch}")
    return worst

