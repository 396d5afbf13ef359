"""The training loop. Read it top to bottom: everything else (health, progress, pruning) is a hook."""

from __future__ import annotations

import contextlib
import copy
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Protocol

import torch
import torch.nn.functional as F
from torch import nn

from nettune.data.types import PreparedData
from nettune.space.model_config import ModelConfig
from nettune.training.accelerate import Precision, prepare_model
from nettune.training.augment import augment_batch
from nettune.training.cancel import CancelToken
from nettune.training.device import seed_everything
from nettune.training.evaluate import Evaluation, evaluate, prepare_batch
from nettune.training.feed import BatchFeed
from nettune.training.hooks import BatchEnd, EpochEnd, StopReason, TrainContext, TrainerHook
from nettune.training.optim import make_optimizer, make_schedule

PROBE_SIZE = 256  # validation samples used by hooks for activation statistics
# On a GPU the loop reads the loss back (a host sync) only this often, to notice a diverged run; the running sums
# stay on the device. On the CPU reading it costs nothing, so it is read after every batch.
SYNC_EVERY = 50


class DataParallelPart(Protocol):
    """This process's part in data-parallel training (implemented in training/distributed.py)."""

    def wrap(self, model: nn.Module) -> nn.Module: ...  # forward and backward go through the wrapper
    def part(self, idx: torch.Tensor) -> torch.Tensor: ...  # this process's share of a batch
    def whole_batch(self, loss: torch.Tensor, correct: int) -> tuple[float, int]: ...  # mean loss, correct


@dataclass
class TrainSettings:
    seed: int = 0
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    patience: int = 2  # epochs without validation-loss improvement before stopping early
    time_budget_s: float | None = None  # stop (and keep the best epoch so far) once exceeded
    parallel: DataParallelPart | None = None  # None: the whole batch trains in this process
    mixed_precision: bool = True  # on a GPU: bf16/fp16 autocast (training/accelerate.py); no effect on the CPU
    compile: bool = False  # torch.compile the training forward (hooks and evaluation use the plain model)


@dataclass
class TrainResult:
    history: list[dict[str, float]]  # one row per epoch: train/val loss and accuracy, seconds
    best_epoch: int
    epochs_run: int
    stop_reason: StopReason
    seconds: float
    # Of the restored best weights; None when a hook or a cancel stopped the run (nothing of it is delivered).
    val: Evaluation | None
    train_accuracy: float  # at the best epoch
    stop_detail: str = ""  # a stop request's one line (why it was pruned); "" for the trainer's own stops

    def summary(self) -> dict[str, Any]:
        return {
            "best_epoch": self.best_epoch,
            "epochs_run": self.epochs_run,
            "stop_reason": str(self.stop_reason),
            "train_seconds": round(self.seconds, 3),
            "train_accuracy": self.train_accuracy,
            "val_accuracy": self.val.accuracy if self.val is not None else None,
            "val_loss": self.val.loss if self.val is not None else None,
        }


def train(
    model: nn.Module,
    cfg: ModelConfig,
    data: PreparedData,
    settings: TrainSettings,
    hooks: Sequence[TrainerHook] = (),
    cancel: CancelToken | None = None,
) -> TrainResult:
    """Train `model` in place; on return it holds the weights of the best validation epoch. A cancel or a hook's
    stop request ends the run with a TrainResult saying so; only a real failure raises."""
    try:
        return _train(model, cfg, data, settings, hooks, cancel)
    except BaseException:
        for hook in hooks:
            with contextlib.suppress(Exception):  # the original error is the one to report
                hook.on_train_abort()
        raise


def _train(
    model: nn.Module,
    cfg: ModelConfig,
    data: PreparedData,
    settings: TrainSettings,
    hooks: Sequence[TrainerHook],
    cancel: CancelToken | None,
) -> TrainResult:
    generator = seed_everything(settings.seed)
    # Its own stream: data-parallel ranks augment parts of different sizes but must keep one batch order.
    augment_rng = torch.Generator().manual_seed(settings.seed + 1)
    device = settings.device
    prepare_model(model, cfg.family, device)
    # fp32 on the CPU; bf16 (or fp16 + scaler) on a GPU
    precision = Precision.for_device(device) if settings.mixed_precision else Precision(None, None)
    parallel = settings.parallel
    net = model if parallel is None else parallel.wrap(model)
    if settings.compile:  # after the DDP wrap, as PyTorch recommends; parameters stay shared with `model`
        net = torch.compile(net)
    feed = BatchFeed(data.train.x, data.train.y, device, cfg.batch_size)
    n_train = len(data.train)
    batches_per_epoch = max(1, -(-n_train // cfg.batch_size))
    optimizer = make_optimizer(model, cfg)
    schedule = make_schedule(optimizer, cfg, total_steps=batches_per_epoch * cfg.epochs)
    ctx = TrainContext(model, device, cfg.epochs, batches_per_epoch, prepare_batch(data.val.x[:PROBE_SIZE], device))
    for hook in hooks:
        hook.on_train_start(ctx)

    started = time.perf_counter()
    history: list[dict[str, float]] = []
    best_loss, best_epoch, best_state, best_train_acc = float("inf"), 0, None, 0.0
    stop_reason, step, epoch = StopReason.COMPLETED, 0, 0
    check_every = 1 if device.type == "cpu" else SYNC_EVERY
    for epoch in range(1, cfg.epochs + 1):
        model.train()
        epoch_start = time.perf_counter()
        loss_sum = torch.zeros((), device=device)
        correct_sum = torch.zeros((), dtype=torch.long, device=device)
        seen = 0
        order = torch.randperm(n_train, generator=generator)
        for batch in range(1, batches_per_epoch + 1):
            if cancel is not None and cancel.cancelled:
                ctx.request_stop(StopReason.CANCELLED, "cancelled by the user")
            if ctx.stop is not None:
                break
            idx = order[(batch - 1) * cfg.batch_size : batch * cfg.batch_size]
            mine = idx if parallel is None else parallel.part(idx)
            x, y = feed.batch(mine)
            x = augment_batch(prepare_batch(x, device), cfg.augment, augment_rng)

            with precision.autocast(device):
                logits = net(x)
                loss = F.cross_entropy(logits, y, label_smoothing=cfg.label_smoothing)
            optimizer.zero_grad(set_to_none=True)
            precision.step(loss, optimizer)
            schedule.step()

            step += 1
            batch_loss, batch_correct = loss.detach().float(), (logits.argmax(1) == y).sum()
            if parallel is not None:  # the whole batch's numbers, the same on every process
                whole_loss, whole_correct = parallel.whole_batch(loss, int(batch_correct))
                batch_loss = torch.tensor(whole_loss, device=device)
                batch_correct = torch.tensor(whole_correct, device=device)
            loss_sum += batch_loss * len(idx)
            correct_sum += batch_correct
            seen += len(idx)
            for hook in hooks:
                hook.on_batch_end(ctx, BatchEnd(epoch, batch, step, batch_loss, batch_correct, len(idx)))
            # One non-finite batch makes the epoch's sum non-finite, so checking the sum now and then loses nothing.
            if (batch % check_every == 0 or batch == batches_per_epoch) and not math.isfinite(float(loss_sum)):
                stop_reason = StopReason.DIVERGED
                break
            if settings.time_budget_s is not None and time.perf_counter() - started > settings.time_budget_s:
                stop_reason = StopReason.TIME_BUDGET
                break
        if ctx.stop is not None:  # asked for during the epoch: the run ends now, without validating the epoch
            break

        val = evaluate(model, data.val, device)
        row = EpochEnd(
            epoch=epoch,
            train_loss=float(loss_sum) / max(1, seen),
            train_accuracy=int(correct_sum) / max(1, seen),
            val_loss=val.loss,
            val_accuracy=val.accuracy,
            seconds=time.perf_counter() - epoch_start,
            val_correct=val.correct,
        )
        history.append({f.name: getattr(row, f.name) for f in fields(row) if f.name != "val_correct"})
        if val.loss < best_loss:
            best_loss, best_epoch, best_train_acc = val.loss, epoch, row.train_accuracy
            best_state = copy.deepcopy(model.state_dict())
        for hook in hooks:
            hook.on_epoch_end(ctx, row)
        if ctx.stop is not None or stop_reason != StopReason.COMPLETED:
            break
        if epoch - best_epoch >= settings.patience:
            stop_reason = StopReason.EARLY_STOPPING
            break

    if best_state is not None and best_epoch != epoch:
        model.load_state_dict(best_state)
    for hook in hooks:  # every run ends here, however it stopped: hooks close what they opened
        hook.on_train_end(ctx)
    if ctx.stop is not None:  # a hook's (or the cancel's) reason outranks the trainer's own for the same epoch
        return TrainResult(history=history, best_epoch=best_epoch, epochs_run=len(history),
                           stop_reason=ctx.stop.reason, seconds=time.perf_counter() - started, val=None,
                           train_accuracy=best_train_acc, stop_detail=ctx.stop.detail)
    return TrainResult(
        history=history,
        best_epoch=best_epoch,
        epochs_run=len(history),
        stop_reason=stop_reason,
        seconds=time.perf_counter() - started,
        val=val if best_epoch == epoch else evaluate(model, data.val, device),
        train_accuracy=best_train_acc,
    )
