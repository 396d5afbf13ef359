"""The GPU-only training choices (training/accelerate.py): off on the CPU, and their plumbing correct where the CPU
can run it (bf16 autocast, fp16 loss scaling)."""

from __future__ import annotations

import torch
from torch import nn

from nettune.training.accelerate import Precision, resident


def _model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))


def test_everything_is_off_on_the_cpu():
    cpu = torch.device("cpu")
    precision = Precision.for_device(cpu)
    assert precision.dtype is None and precision.scaler is None and precision.describe() == "fp32"
    x, y = torch.randn(10, 8), torch.arange(10)
    kept_x, kept_y, moved = resident(x, y, cpu)
    assert not moved and kept_x is x and kept_y is y


def test_bf16_autocast_trains():
    model, x, y = _model(), torch.randn(64, 8), torch.randint(0, 3, (64,))
    precision = Precision(torch.bfloat16, None)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(60):
        with precision.autocast(torch.device("cpu")):
            logits = model(x)
            assert logits.dtype == torch.bfloat16
            loss = nn.functional.cross_entropy(logits, y)
        optimizer.zero_grad()
        precision.step(loss, optimizer)
        losses.append(loss.item())
    assert losses[-1] < 0.8 * losses[0]  # bf16 arithmetic, and it still learns


def test_fp16_loss_scaling_leaves_true_gradients_for_the_hooks():
    x, y = torch.randn(32, 8), torch.randint(0, 3, (32,))
    plain, scaled = _model(), _model()
    nn.functional.cross_entropy(plain(x), y).backward()
    precision = Precision(None, torch.amp.GradScaler("cpu", init_scale=1024.0))
    optimizer = torch.optim.SGD(scaled.parameters(), lr=0.0)  # lr 0: the step changes nothing but unscales
    precision.step(nn.functional.cross_entropy(scaled(x), y), optimizer)
    for a, b in zip(plain.parameters(), scaled.parameters(), strict=True):
        assert torch.allclose(a.grad, b.grad, atol=1e-6)  # not 1024 times larger
