"""Optimizer and learning-rate schedule from a ModelConfig."""

from __future__ import annotations

import math

import torch
from torch import nn

from nettune.space.model_config import ModelConfig


def make_optimizer(model: nn.Module, cfg: ModelConfig) -> torch.optim.Optimizer:
    params, lr, wd = model.parameters(), cfg.learning_rate, cfg.weight_decay
    if cfg.optimizer == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=wd)
    if cfg.optimizer == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=wd)
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=0.9, nesterov=True, weight_decay=wd)
    return torch.optim.RMSprop(params, lr=lr, weight_decay=wd)


def make_schedule(
    optimizer: torch.optim.Optimizer, cfg: ModelConfig, total_steps: int
) -> torch.optim.lr_scheduler.LambdaLR:
    """Short linear warm-up, then cosine decay to zero over the planned steps (or constant)."""
    warmup = max(1, min(100, total_steps // 20))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        if cfg.lr_schedule == "constant":
            return 1.0
        progress = min(1.0, (step - warmup) / max(1, total_steps - warmup))
        return 0.5 * (1.0 + math.cos(math.pi * progress))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
