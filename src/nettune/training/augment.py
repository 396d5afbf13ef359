"""Batch image augmentation on the device: random shifts (and mirrors where they keep the class).

One affine resample for the whole batch instead of per-image work on the host, so augmentation costs about
as much as one cheap layer. Shifts are whole pixels, drawn from the trainer's generator: the same seed gives
the same run.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

SHIFT_FRACTION = 1 / 14  # up to 2 pixels on 28x28, 2 on 32x32: the classic small-image translate


def augment_batch(x: torch.Tensor, kind: str, generator: torch.Generator) -> torch.Tensor:
    """`x` is (N, C, H, W); `kind` is one of model_config.AUGMENTATIONS ("none" returns x unchanged)."""
    if kind == "none":
        return x
    n, _, height, width = x.shape
    max_shift = max(1, round(min(height, width) * SHIFT_FRACTION))
    shifts = torch.randint(-max_shift, max_shift + 1, (n, 2), generator=generator).to(x.device, x.dtype)
    theta = torch.zeros(n, 2, 3, device=x.device, dtype=x.dtype)
    theta[:, 0, 0] = 1.0
    theta[:, 1, 1] = 1.0
    # affine_grid works in [-1, 1] coordinates, where one pixel is 2 / side.
    theta[:, 0, 2] = shifts[:, 0] * (2.0 / width)
    theta[:, 1, 2] = shifts[:, 1] * (2.0 / height)
    if kind == "translate_flip":
        flip = torch.rand(n, generator=generator) < 0.5
        theta[flip.to(x.device), 0, 0] = -1.0
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    # Edge pixels are repeated into the gap: the background for digits and clothes, a plausible edge elsewhere.
    out = F.grid_sample(x, grid, mode="nearest", padding_mode="border", align_corners=False)
    return out.contiguous(memory_format=torch.channels_last)
