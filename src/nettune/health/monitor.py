"""HealthMonitor: the trainer hook that records what the health metrics need, at low cost.

Per batch it keeps the loss the trainer already computed (free) and, every `grad_every` steps, queues the
gradient norms on the device (two device ops, no sync). Per epoch it copies the queued norms to the host
once and runs one no-grad probe forward for activation statistics. Nothing here touches parameters,
optimizer state or the RNG, so attaching the monitor does not change the training run.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch

from nettune.errors import ConfigError
from nettune.health.activity import UnitActivity, measure_activity, pooled_fractions
from nettune.health.gradients import GradientSeries, GradRecorder
from nettune.health.units import unwrap_compiled
from nettune.training.hooks import BatchEnd, EpochEnd, TrainContext, TrainerHook

# Every 10th step: with two device ops per sample, the sampling cost is well under 1% of a step even for
# tiny models, while a 3-epoch run of 400 batches still gets 120 samples per layer.
DEFAULT_GRAD_EVERY = 10
# Probe size: at most this many samples (plenty to see a unit that never fires)...
DEFAULT_PROBE_SAMPLES = 256
# ...and at most 1/50 of the samples trained on in the epoch, so the probe (a forward pass plus per-unit
# counting, roughly 0.7 of a training step per sample) costs under ~1.5% even when epochs are short...
PROBE_BUDGET_DIVISOR = 50
# ...but never fewer than this, below which "never active" stops meaning much.
MIN_PROBE_SAMPLES = 32


class HealthMonitor(TrainerHook):
    """Records losses, sampled gradient norms, epoch history and epoch-end activation statistics."""

    def __init__(self, grad_every: int = DEFAULT_GRAD_EVERY, probe_samples: int = DEFAULT_PROBE_SAMPLES) -> None:
        if grad_every < 1:
            raise ConfigError(f"health grad_every must be >= 1, got {grad_every}")
        if probe_samples < 1:
            raise ConfigError(f"health probe_samples must be >= 1, got {probe_samples}")
        self.grad_every = grad_every
        self.probe_samples = probe_samples
        self._ctx: TrainContext | None = None
        self._reset()

    def _reset(self) -> None:
        self._losses: list[float] = []  # per-batch training loss, in step order (see `losses`)
        self._pending: list[torch.Tensor] = []  # this epoch's losses, still on the device
        self.epochs: list[EpochEnd] = []  # history; val_correct dropped from all but the last (memory)
        self.last_val_correct: torch.Tensor = torch.empty(0, dtype=torch.bool)
        self.activity: list[UnitActivity] = []  # from the latest probe
        self.activity_epoch: int | None = None  # epoch of the latest probe (0: measured after training)
        self.output_dim: int | None = None  # the model's output width (number of classes) seen on the probe
        self.probe_history: list[tuple[int, float, float]] = []  # (epoch, dead share, saturated share of bounded)
        self._grads: GradRecorder | None = None
        self._epoch_samples = 0  # training samples seen since the last epoch end: sets the probe budget

    @property
    def losses(self) -> list[float]:
        """Per-batch training loss, in step order."""
        if self._pending:
            self._losses.extend(torch.stack(self._pending).double().cpu().tolist())
            self._pending.clear()
        return self._losses

    # --- TrainerHook -------------------------------------------------------------------------------

    def on_train_start(self, ctx: TrainContext) -> None:
        self._reset()
        self._ctx = ctx
        self._grads = GradRecorder(unwrap_compiled(ctx.model))

    def on_batch_end(self, ctx: TrainContext, step: BatchEnd) -> None:
        self._pending.append(step.loss_t.detach())  # read in one go at the epoch's end, not one sync per batch
        self._epoch_samples += step.size
        # (global_step - 1) so step 1 is always sampled: even a one-batch run has a gradient reading.
        if (step.global_step - 1) % self.grad_every == 0:
            if self._grads is None:  # tolerate a trainer that skipped on_train_start
                self._ctx = ctx
                self._grads = GradRecorder(unwrap_compiled(ctx.model))
            self._grads.sample(step.global_step)

    def on_epoch_end(self, ctx: TrainContext, epoch: EpochEnd) -> None:
        self._ctx = ctx
        _ = self.losses  # bring this epoch's losses to the host
        self.epochs.append(replace(epoch, val_correct=torch.empty(0, dtype=torch.bool)))
        self.last_val_correct = epoch.val_correct.detach().to("cpu", torch.bool).flatten()
        if self._grads is not None:
            self._grads.flush()
        self._probe(ctx, epoch.epoch)
        self._epoch_samples = 0

    def on_train_end(self, ctx: TrainContext) -> None:
        self._ctx = ctx
        # The delivered model (the trainer has restored its best epoch) is measured once on the full probe:
        # epoch-end probes are budgeted down to as few as MIN_PROBE_SAMPLES, and on so few samples a rarely
        # firing unit looks dead.
        self._probe(ctx, len(self.epochs), samples=self.probe_samples, history=False)
        self.finalize()

    # --- reading the record ------------------------------------------------------------------------

    def finalize(self) -> None:
        """Bring queued gradient samples to the host; probe once if no epoch ever ended (stopped early).

        Idempotent, and called by compute_health, so a trainer that was cancelled mid-epoch still yields
        a report from what was recorded.
        """
        if self._grads is not None:
            self._grads.flush()
        if self.activity_epoch is None and self._ctx is not None:
            self._probe(self._ctx, 0)

    @property
    def epoch_history(self) -> list[dict[str, float]]:
        """One plain dict per finished epoch (JSON-ready): epoch, losses, accuracies, seconds."""
        return [
            {
                "epoch": e.epoch,
                "train_loss": e.train_loss,
                "train_accuracy": e.train_accuracy,
                "val_loss": e.val_loss,
                "val_accuracy": e.val_accuracy,
                "seconds": e.seconds,
            }
            for e in self.epochs
        ]

    @property
    def grad_layer_names(self) -> list[str]:
        return list(self._grads.names) if self._grads is not None else []

    @property
    def grad_layer_kinds(self) -> list[str]:
        return list(self._grads.kinds) if self._grads is not None else []

    @property
    def grad_steps(self) -> np.ndarray:
        return self._grads.steps if self._grads is not None else np.zeros(0, dtype=np.int64)

    @property
    def grad_norms(self) -> np.ndarray:
        """(samples, layers) L2 norms; NaN = layer had no gradient that step, +inf = non-finite gradient."""
        return self._grads.layer_norms if self._grads is not None else np.zeros((0, 0))

    def gradient_series(self) -> GradientSeries:
        """The sampled gradient norms, complete (finalized): what a reader that records none of its own needs."""
        self.finalize()
        return self._grads.series() if self._grads is not None else GradientSeries.empty()

    def unit_activity(self) -> list[UnitActivity]:
        """Per-unit activity of the delivered model (the latest probe)."""
        self.finalize()
        return list(self.activity)

    @property
    def global_grad_norms(self) -> np.ndarray:
        return self._grads.global_norms if self._grads is not None else np.zeros(0)

    def _probe(self, ctx: TrainContext, epoch: int, samples: int | None = None, history: bool = True) -> None:
        if ctx.probe_x.numel() == 0:
            return
        if samples is None:
            samples = min(self.probe_samples, max(MIN_PROBE_SAMPLES, self._epoch_samples // PROBE_BUDGET_DIVISOR))
        result = measure_activity(ctx.model, ctx.probe_x, samples)
        self.activity = result.layers
        self.activity_epoch = epoch
        self.output_dim = result.output_dim
        if history:  # one point per epoch end; the final full-probe measurement is not a new epoch
            self.probe_history.append((epoch, *pooled_fractions(result.layers)))
