"""Device choice and seeding: CUDA when present, CPU otherwise; same seed + config -> same result."""

from __future__ import annotations

import random

import numpy as np
import torch


def pick_device(requested: str = "auto") -> torch.device:
    if requested == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(requested)


def seed_everything(seed: int) -> torch.Generator:
    """Seed every RNG a trial touches and return the generator that orders batches."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    generator = torch.Generator()
    generator.manual_seed(seed)
    return generator
