"""PlotDataRecorder: the trainer hook that keeps what the trial plots need and the trial files lack.

Cost per run: one weight sample at the start and at the end, gradient norms every `grad_every` steps (two
device ops, no sync — or none at all when a HealthMonitor already records them), and one small no-grad
forward at the end for activation maps. After training, `save()` adds test predictions and a few inputs
and writes plot_data.npz into the trial directory.

What another hook already records (gradient norms, unit activity) is handed in as a `RecordSource` — the
HealthMonitor is one — and read through it once, at save time.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import torch

from nettune.data.types import PreparedData
from nettune.errors import ConfigError
from nettune.health.activity import UnitActivity, measure_activity
from nettune.health.gradients import GradientSeries, GradRecorder
from nettune.health.units import unwrap_compiled
from nettune.plots.capture import WeightSample, capture_activations, finish_weights, sample_weights
from nettune.plots.collect import Recorded, assemble
from nettune.plots.data_file import write_plot_data
from nettune.training.evaluate import Evaluation
from nettune.training.hooks import BatchEnd, EpochEnd, TrainContext, TrainerHook

DEFAULT_GRAD_EVERY = 10  # same cadence as the health monitor: < 1% of a step even for tiny models
ACTIVATION_SAMPLES = 4  # probe inputs whose feature maps / hidden states are kept
UNIT_PROBE_SAMPLES = 256


class RecordSource(Protocol):
    """Another hook of the same run that records gradient norms and unit activity (health.HealthMonitor)."""

    def gradient_series(self) -> GradientSeries: ...
    def unit_activity(self) -> list[UnitActivity]: ...


class PlotDataRecorder(TrainerHook):
    """Attach beside the HealthMonitor; pass that monitor to reuse its gradient norms and unit activity."""

    def __init__(self, monitor: RecordSource | None = None, grad_every: int = DEFAULT_GRAD_EVERY,
                 activation_samples: int = ACTIVATION_SAMPLES) -> None:
        if grad_every < 1 or activation_samples < 1:
            raise ConfigError("plot recorder grad_every and activation_samples must be >= 1")
        self.source = monitor  # None: record gradients and unit activity here
        self.grad_every = grad_every
        self.activation_samples = activation_samples
        self.weights: list[WeightSample] = []
        self.activations: list[tuple[str, torch.Tensor]] = []
        self.activation_inputs: torch.Tensor | None = None
        self.units: list[UnitActivity] = []
        self._grads: GradRecorder | None = None
        self._ctx: TrainContext | None = None

    # --- TrainerHook -------------------------------------------------------------------------------

    def on_train_start(self, ctx: TrainContext) -> None:
        self._ctx = ctx
        model = unwrap_compiled(ctx.model)
        self.weights = sample_weights(model)
        self.activations, self.activation_inputs, self.units = [], None, []
        self._grads = None if self.source is not None else GradRecorder(model)

    def on_batch_end(self, ctx: TrainContext, step: BatchEnd) -> None:
        # (global_step - 1) so the first step is always sampled, as the health monitor does.
        if self._grads is not None and (step.global_step - 1) % self.grad_every == 0:
            self._grads.sample(step.global_step)

    def on_epoch_end(self, ctx: TrainContext, epoch: EpochEnd) -> None:
        if self._grads is not None:
            self._grads.flush()  # once per epoch: queued device tensors never pile up

    def on_train_end(self, ctx: TrainContext) -> None:
        """The trainer has restored the best epoch's weights: capture what the final model does."""
        self._ctx = ctx
        model = unwrap_compiled(ctx.model)
        finish_weights(model, self.weights)
        if self._grads is not None:
            self._grads.flush()
        probe = ctx.probe_x
        if probe.numel() == 0:
            return
        self.activation_inputs = probe[: self.activation_samples].detach().cpu().contiguous()
        self.activations = capture_activations(model, probe[: self.activation_samples])
        if self.source is None:
            self.units = measure_activity(model, probe, UNIT_PROBE_SAMPLES).layers

    # --- after training -----------------------------------------------------------------------------

    def gradient_series(self) -> GradientSeries:
        """(layer names, layer kinds, steps (S,), norms (S, L)): the source's when given, else our own."""
        if self.source is not None:
            return self.source.gradient_series()
        return self._grads.series() if self._grads is not None else GradientSeries.empty()

    def unit_activity(self) -> list[UnitActivity]:
        return self.source.unit_activity() if self.source is not None else list(self.units)

    def recorded(self) -> Recorded:
        """Everything the plot data is assembled from, complete once training has ended."""
        return Recorded(gradients=self.gradient_series(), weights=list(self.weights),
                        activations=list(self.activations), activation_inputs=self.activation_inputs,
                        units=self.unit_activity())

    def save(self, trial_dir: Path, model: torch.nn.Module, data: PreparedData, device: torch.device,
             test: Evaluation | None = None, vocabulary: Sequence[str] | None = None) -> Path:
        """Write plot_data.npz. Pass the trial's test Evaluation to avoid evaluating the test split twice;
        `vocabulary[i]` is the word of token id i (text datasets), else tokens show as #id."""
        plot_data = assemble(self.recorded(), unwrap_compiled(model), data, device, test, vocabulary)
        return write_plot_data(Path(trial_dir), plot_data)
