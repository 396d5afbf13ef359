"""A benchmark-only trial that waits a set time instead of training.

Executors, endpoints and pull workers are measured with it: the time is fixed, so what differs between runs is
the dispatch machinery, not CPU contention between trainings. It still goes through every real component
(job serialization, handler, endpoint, study storage) and reports epoch progress like a real trial.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from nettune.progress.events import EpochProgress, Event, TrialStarted
from nettune.training.cancel import CancelToken
from nettune.trials.job import TrialJob, TrialOutcome
from nettune.trials.state import TrialStatus

STEPS_PER_EPOCH = 4


def run_fixed_length_trial(job: TrialJob, seconds: float, emit: Callable[[Event], None],
                           cancel: CancelToken | None = None, worker: str = "local") -> TrialOutcome:
    cfg = job.model_config
    outcome = TrialOutcome(number=job.number, state=TrialStatus.COMPLETE, trial_dir=job.trial_dir, worker=worker,
                           started_at=time.time())
    emit(TrialStarted(trial=job.number, total_epochs=cfg.epochs, params=cfg.to_dict(), worker=worker))
    step = seconds / (cfg.epochs * STEPS_PER_EPOCH)
    for epoch in range(1, cfg.epochs + 1):
        for k in range(1, STEPS_PER_EPOCH + 1):
            if cancel is not None and cancel.cancelled:
                outcome.state, outcome.error = TrialStatus.CANCELLED, "cancelled"
                outcome.finished_at = time.time()
                return outcome
            time.sleep(step)
            emit(EpochProgress(trial=job.number, epoch=epoch, total_epochs=cfg.epochs, fraction=k / STEPS_PER_EPOCH,
                               loss=1.0 / epoch, accuracy=0.5))
    # A smooth, deterministic objective of the learning rate (best at 1e-3) gives the sampler something to learn.
    accuracy = 1.0 / (1.0 + abs(math.log10(cfg.learning_rate) + 3.0))
    outcome.value = accuracy
    outcome.metrics = {"val_accuracy": accuracy, "test_accuracy": accuracy, "epochs_run": cfg.epochs}
    outcome.finished_at = time.time()
    return outcome
