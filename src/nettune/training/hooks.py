"""Hooks the trainer calls at fixed points; health monitoring and progress reporting live beside it.

The trainer never knows what a hook does. Every method has a no-op default so a hook implements only
what it needs. Hooks must not change the model's parameters or the optimizer's state. A hook that wants the
run to end asks through the context (`ctx.request_stop`); it never raises, so every run ends the same way:
a TrainResult, and on_train_end for every hook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import torch
from torch import nn


class StopReason(StrEnum):
    """Why training ended (TrainResult.stop_reason; recorded as the trial's `stop_reason`)."""

    COMPLETED = "completed"
    EARLY_STOPPING = "early stopping"
    TIME_BUDGET = "time budget"
    DIVERGED = "diverged (non-finite loss)"
    PRUNED = "pruned"  # asked for by a hook (trials/pruning.py)
    CANCELLED = "cancelled"  # the cancel token was set


@dataclass(frozen=True)
class StopRequest:
    reason: StopReason
    detail: str  # one line for the trial's record, e.g. why it was pruned


@dataclass
class TrainContext:
    """Facts about one training run, handed to every hook at every call, and the way hooks ask it to stop."""

    model: nn.Module
    device: torch.device
    total_epochs: int
    batches_per_epoch: int
    probe_x: torch.Tensor  # a fixed validation batch (on device) for activation statistics
    stop: StopRequest | None = None  # the first stop asked for; the trainer ends the run after the current call

    def request_stop(self, reason: StopReason, detail: str = "") -> None:
        """End training: asked during a batch, the run ends before the next batch (that epoch is not validated);
        asked at an epoch's end, after it. The first request wins."""
        if self.stop is None:
            self.stop = StopRequest(reason, detail or str(reason))


@dataclass
class BatchEnd:
    """After backward() and optimizer.step(); parameter .grad tensors still hold this batch's gradients."""

    epoch: int  # 1-based
    batch: int  # 1-based within the epoch
    global_step: int  # 1-based over the run
    # The batch's mean loss and correct count as 0-d tensors on the training device. Reading `loss` or `correct`
    # waits for the device to finish the batch (a host sync on a GPU): hooks read them only when they report.
    loss_t: torch.Tensor
    correct_t: torch.Tensor
    size: int

    @property
    def loss(self) -> float:
        return float(self.loss_t)

    @property
    def correct(self) -> int:
        return int(self.correct_t)


@dataclass
class EpochEnd:
    epoch: int  # 1-based
    train_loss: float
    train_accuracy: float
    val_loss: float
    val_accuracy: float
    seconds: float
    # Per-sample validation correctness (bool, CPU), for accuracy-consistency across shards.
    val_correct: torch.Tensor = field(repr=False, default_factory=lambda: torch.empty(0, dtype=torch.bool))


class TrainerHook:
    """Base class: override the calls you need."""

    def on_train_start(self, ctx: TrainContext) -> None:
        return None

    def on_batch_end(self, ctx: TrainContext, step: BatchEnd) -> None:
        return None

    def on_epoch_end(self, ctx: TrainContext, epoch: EpochEnd) -> None:
        return None

    def on_train_end(self, ctx: TrainContext) -> None:
        """After every run that returns, however it stopped (the best epoch's weights are restored)."""
        return None

    def on_train_abort(self) -> None:
        """Instead of on_train_end when training raised (a real failure): release what the hook holds."""
        return None
