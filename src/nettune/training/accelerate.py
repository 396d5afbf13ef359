"""What a trial does differently on a GPU, and only there: mixed precision, and data kept whole on the device.

On the CPU every choice here is off, so CPU results and the CPU throughput benchmark are unchanged.
- Mixed precision: bf16 autocast where the GPU supports it (no loss scaling needed), else fp16 with a GradScaler.
  Evaluation stays fp32.
- A training split up to RESIDENT_BYTES is moved to the device once, so batches are gathered there instead of
  copied from the host every step (airbench keeps CIFAR-10 on the GPU the same way).
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

import torch
from torch import nn

RESIDENT_BYTES = 2 * 1024**3  # a split this small stays on the device (MNIST: 188 MB, CIFAR-10: 614 MB as float32)


@dataclass
class Precision:
    dtype: torch.dtype | None  # autocast dtype; None = full precision
    scaler: torch.amp.GradScaler | None  # fp16 only

    @classmethod
    def for_device(cls, device: torch.device) -> Precision:
        if device.type != "cuda":
            return cls(None, None)
        if torch.cuda.is_bf16_supported():
            return cls(torch.bfloat16, None)
        return cls(torch.float16, torch.amp.GradScaler("cuda"))

    def autocast(self, device: torch.device) -> AbstractContextManager[object]:
        return nullcontext() if self.dtype is None else torch.autocast(device.type, dtype=self.dtype)

    def step(self, loss: torch.Tensor, optimizer: torch.optim.Optimizer) -> None:
        """backward and optimizer step; with fp16 the loss is scaled and the gradients unscaled before the step,
        so hooks reading .grad afterwards see true gradients."""
        if self.scaler is None:
            loss.backward()
            optimizer.step()
            return
        self.scaler.scale(loss).backward()
        self.scaler.step(optimizer)
        self.scaler.update()

    def describe(self) -> str:
        return "fp32" if self.dtype is None else str(self.dtype).removeprefix("torch.")


def resident(x: torch.Tensor, y: torch.Tensor, device: torch.device) -> tuple[torch.Tensor, torch.Tensor, bool]:
    """The training split on `device` when it is a GPU and the split is small enough; else as it was."""
    if device.type == "cpu" or x.numel() * x.element_size() > RESIDENT_BYTES:
        return x, y, False
    return x.to(device), y.to(device), True


def prepare_model(model: nn.Module, family: str, device: torch.device) -> None:
    model.to(device)
    if family == "cnn":  # channels_last: faster convolutions on CPU and what tensor cores want
        model.to(memory_format=torch.channels_last)
