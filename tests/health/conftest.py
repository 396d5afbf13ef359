"""A minimal stand-in for the trainer: it calls the hooks exactly where the TrainerHook contract says."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
import torch
from torch import nn

from nettune.training.hooks import BatchEnd, EpochEnd, TrainContext, TrainerHook


@dataclass
class LoopResult:
    train_accuracy: float
    val_accuracy: float
    param_count: int


def run_loop(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    hooks: list[TrainerHook],
    *,
    epochs: int = 2,
    batch_size: int = 16,
    lr: float = 0.05,
    val_size: int = 64,
) -> LoopResult:
    """Train with SGD on (x, y); the last `val_size` rows are the validation set and the probe."""
    torch.manual_seed(0)
    x_train, y_train, x_val, y_val = x[:-val_size], y[:-val_size], x[-val_size:], y[-val_size:]
    batches = max(1, len(x_train) // batch_size)
    ctx = TrainContext(model, torch.device("cpu"), epochs, batches, x_val)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    for hook in hooks:
        hook.on_train_start(ctx)
    step = 0
    train_acc = val_acc = 0.0
    for epoch in range(1, epochs + 1):
        model.train()
        correct = seen = 0
        for b in range(batches):
            step += 1
            xb, yb = x_train[b * batch_size : (b + 1) * batch_size], y_train[b * batch_size : (b + 1) * batch_size]
            opt.zero_grad()
            out = model(xb)
            loss = nn.functional.cross_entropy(out, yb)
            loss.backward()
            opt.step()
            hits = (out.argmax(1) == yb).sum()
            correct, seen = correct + int(hits), seen + len(yb)
            for hook in hooks:
                hook.on_batch_end(ctx, BatchEnd(epoch, b + 1, step, loss.detach(), hits, len(yb)))
        model.eval()
        with torch.no_grad():
            out = model(x_val)
        val_correct = out.argmax(1) == y_val
        train_acc, val_acc = correct / seen, float(val_correct.float().mean())
        val_loss = float(nn.functional.cross_entropy(out, y_val))
        end = EpochEnd(epoch, loss.item(), train_acc, val_loss, val_acc, 0.0, val_correct)
        for hook in hooks:
            hook.on_epoch_end(ctx, end)
    for hook in hooks:
        hook.on_train_end(ctx)
    return LoopResult(train_acc, val_acc, sum(p.numel() for p in model.parameters()))


@pytest.fixture
def train() -> Callable[..., LoopResult]:
    return run_loop
