"""Undoing a dataset's normalization for showing an example: the plots and the forward-pass view both use it."""

from __future__ import annotations

from typing import Any

import numpy as np


def display_image(x: np.ndarray, normalization: dict[str, Any] | None) -> np.ndarray:
    """(C, H, W) normalized tensor -> (H, W) or (H, W, 3) pixels in [0, 1] for imshow."""
    x = x.astype(np.float32)
    if normalization and len(normalization.get("mean", [])) == x.shape[0]:
        mean = np.asarray(normalization["mean"], dtype=np.float32)[:, None, None]
        std = np.asarray(normalization["std"], dtype=np.float32)[:, None, None]
        x = np.clip(x * std + mean, 0.0, 1.0)
    else:  # unknown normalization: stretch to the sample's own range
        x = (x - x.min()) / max(float(x.max() - x.min()), 1e-8)
    return x[0] if x.shape[0] == 1 else np.transpose(x[:3], (1, 2, 0))
