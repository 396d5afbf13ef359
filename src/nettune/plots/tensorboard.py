"""TensorBoardHook: training curves and weight/gradient histograms in TensorBoard's event format.

    train(..., hooks=[..., TensorBoardHook(run_dir / "tensorboard" / f"trial_{n:04d}")])
    # the hook closes its writer when training ends, however it ends (on_train_end / on_train_abort)

Then `tensorboard --logdir <run_dir>/tensorboard` compares trials side by side.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nettune.errors import ConfigError
from nettune.health.units import unwrap_compiled
from nettune.training.hooks import BatchEnd, EpochEnd, TrainContext, TrainerHook

DEFAULT_SCALAR_EVERY = 10  # steps between batch-loss points: one host float each, no device sync beyond the loss


class TensorBoardHook(TrainerHook):
    def __init__(self, log_dir: Path, scalar_every: int = DEFAULT_SCALAR_EVERY, histograms: bool = True) -> None:
        if scalar_every < 1:
            raise ConfigError(f"tensorboard scalar_every must be >= 1, got {scalar_every}")
        self.log_dir = Path(log_dir)
        self.scalar_every = scalar_every
        self.histograms = histograms
        self._writer: Any = None

    def _open(self) -> Any:
        if self._writer is None:
            try:
                from torch.utils.tensorboard import SummaryWriter
            except ImportError as exc:  # torch ships the writer but needs the tensorboard package for protobufs
                raise ConfigError("tensorboard logging needs the 'tensorboard' package: pip install tensorboard") \
                    from exc
            self.log_dir.mkdir(parents=True, exist_ok=True)
            self._writer = SummaryWriter(log_dir=str(self.log_dir))
        return self._writer

    def on_train_start(self, ctx: TrainContext) -> None:
        self._open()

    def on_batch_end(self, ctx: TrainContext, step: BatchEnd) -> None:
        # (global_step - 1): the first step is always logged, so even a one-batch run has a curve point.
        if (step.global_step - 1) % self.scalar_every == 0:
            self._open().add_scalar("batch/train_loss", step.loss, step.global_step)

    def on_epoch_end(self, ctx: TrainContext, epoch: EpochEnd) -> None:
        writer = self._open()
        for name, value in (("loss/train", epoch.train_loss), ("loss/val", epoch.val_loss),
                            ("accuracy/train", epoch.train_accuracy), ("accuracy/val", epoch.val_accuracy),
                            ("epoch/seconds", epoch.seconds)):
            writer.add_scalar(name, value, epoch.epoch)
        if self.histograms:
            # The last batch's gradients are still in .grad here: zero_grad runs at the next batch's start.
            for name, param in unwrap_compiled(ctx.model).named_parameters():
                values = param.detach().float().cpu()
                if values.isfinite().all():
                    writer.add_histogram(f"weights/{name}", values, epoch.epoch)
                if param.grad is not None and not param.grad.is_sparse:
                    grad = param.grad.detach().float().cpu()
                    if grad.isfinite().all():  # a histogram of NaNs raises inside tensorboard
                        writer.add_histogram(f"gradients/{name}", grad, epoch.epoch)
        writer.flush()

    def on_train_end(self, ctx: TrainContext) -> None:
        self.close()

    def on_train_abort(self) -> None:
        self.close()

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
