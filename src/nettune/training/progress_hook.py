"""Turns trainer calls into EpochProgress events every few batches."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nettune.progress.events import EpochProgress
from nettune.training.hooks import BatchEnd, EpochEnd, TrainContext, TrainerHook

# Called at each epoch's end for the statistics the epoch's report carries (health/epoch_layers.py).
LayerStats = Callable[[TrainContext, EpochEnd], dict[str, Any]]


class ProgressReporter(TrainerHook):
    def __init__(self, trial: int, emit: Callable[[EpochProgress], None], updates_per_epoch: int = 20,
                 layer_stats: LayerStats | None = None) -> None:
        self.trial, self.emit, self.updates_per_epoch = trial, emit, updates_per_epoch
        self.layer_stats = layer_stats
        self._every = 1
        self._loss = self._correct = self._seen = 0.0

    def on_train_start(self, ctx: TrainContext) -> None:
        self._every = max(1, ctx.batches_per_epoch // self.updates_per_epoch)

    def on_batch_end(self, ctx: TrainContext, step: BatchEnd) -> None:
        if step.batch == 1:
            self._loss = self._correct = self._seen = 0.0
        self._loss += step.loss_t * step.size  # sums stay on the device; read only when reported
        self._correct += step.correct_t
        self._seen += step.size
        if step.batch % self._every == 0:
            self.emit(
                EpochProgress(
                    trial=self.trial,
                    epoch=step.epoch,
                    total_epochs=ctx.total_epochs,
                    fraction=step.batch / ctx.batches_per_epoch,
                    loss=float(self._loss) / self._seen,
                    accuracy=float(self._correct) / self._seen,
                )
            )

    def on_epoch_end(self, ctx: TrainContext, epoch: EpochEnd) -> None:
        self.emit(
            EpochProgress(
                trial=self.trial,
                epoch=epoch.epoch,
                total_epochs=ctx.total_epochs,
                fraction=1.0,
                loss=epoch.train_loss,
                accuracy=epoch.train_accuracy,
                val_accuracy=epoch.val_accuracy,
                val_loss=epoch.val_loss,
                layers=self.layer_stats(ctx, epoch) if self.layer_stats is not None else None,
            )
        )
