"""StudyProgress: one thread-safe picture of a study, fed by events from any executor.

The CLI display reads snapshots of it; the API will serve the same snapshots.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from nettune.progress.events import EpochProgress, Event, Notice, TrialFinished, TrialStarted
from nettune.trials.state import TrialStatus


@dataclass
class RunningTrial:
    trial: int
    worker: str
    started: float
    epoch: int = 0
    total_epochs: int = 0
    fraction: float = 0.0
    loss: float | None = None
    accuracy: float | None = None
    val_accuracy: float | None = None
    # One row per finished epoch (the trial's curves so far): what the dashboard draws while the trial runs.
    history: list[dict[str, float | None]] = field(default_factory=list)
    # The latest finished epoch's per-layer statistics (health/epoch_layers.py): only the latest, so every
    # snapshot stays small however long the trial runs; the finished trial's file keeps them all.
    layers: dict[str, Any] | None = None

    @property
    def done_fraction(self) -> float:
        """Share of this trial's planned epochs already trained."""
        if self.total_epochs <= 0:
            return 0.0
        return min(1.0, (max(0, self.epoch - 1) + self.fraction) / self.total_epochs)


@dataclass
class StudyProgress:
    total_trials: int
    concurrency: int = 1
    mode: str = "health"
    completed: int = 0
    pruned: int = 0
    failed: int = 0
    best_accuracy: float | None = None
    best_score: float | None = None
    best_trial: int | None = None
    started: float = field(default_factory=time.time)
    running: dict[int, RunningTrial] = field(default_factory=dict)
    durations: list[float] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def record_previous(self, state: TrialStatus, value: float | None, accuracy: float | None, trial: int) -> None:
        """Count a trial finished before this process started (a resumed study)."""
        with self._lock:
            self._count(state, value, accuracy, trial)

    def apply(self, event: Event) -> None:
        with self._lock:
            if isinstance(event, TrialStarted):
                self.running[event.trial] = RunningTrial(event.trial, event.worker, event.time,
                                                         total_epochs=event.total_epochs)
            elif isinstance(event, EpochProgress):
                run = self.running.get(event.trial)
                if run is not None:
                    run.epoch, run.total_epochs, run.fraction = event.epoch, event.total_epochs, event.fraction
                    run.loss, run.accuracy = event.loss, event.accuracy
                    if event.val_accuracy is not None:
                        run.val_accuracy = event.val_accuracy
                        row = {"epoch": event.epoch, "train_loss": event.loss, "train_accuracy": event.accuracy,
                               "val_loss": event.val_loss, "val_accuracy": event.val_accuracy}
                        run.history = [r for r in run.history if r["epoch"] != event.epoch] + [row]
                    if event.layers is not None:
                        run.layers = event.layers
            elif isinstance(event, TrialFinished):
                self.running.pop(event.trial, None)
                outcome = event.outcome
                if outcome["state"] == TrialStatus.CANCELLED:  # rerun later: it counts as nothing yet
                    return
                self.durations.append(float(outcome.get("duration_s", 0.0)))
                accuracy = outcome.get("metrics", {}).get("val_accuracy")
                self._count(outcome["state"], outcome.get("value"), accuracy, event.trial)
            elif isinstance(event, Notice):
                self.notices.append(event.message)

    def _count(self, state: str, value: float | None, accuracy: float | None, trial: int) -> None:
        """`state`: a TrialStatus (or its value, from an event); anything but complete or pruned counts as failed."""
        if state == TrialStatus.COMPLETE:
            self.completed += 1
            if accuracy is not None and (self.best_accuracy is None or accuracy > self.best_accuracy):
                self.best_accuracy = accuracy
            if value is not None and (self.best_score is None or value > self.best_score):
                self.best_score, self.best_trial = value, trial
        elif state == TrialStatus.PRUNED:
            self.pruned += 1
        else:
            self.failed += 1

    @property
    def finished(self) -> int:
        return self.completed + self.pruned + self.failed

    def eta_seconds(self) -> float | None:
        """Remaining trial-time divided among the workers; None until one trial has finished."""
        if not self.durations:
            return None
        average = sum(self.durations) / len(self.durations)
        remaining_trials = max(0, self.total_trials - self.finished)
        in_flight_done = sum(r.done_fraction for r in self.running.values())
        work = max(0.0, remaining_trials - in_flight_done) * average
        return work / max(1, min(self.concurrency, remaining_trials or 1))

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total_trials": self.total_trials,
                "completed": self.completed,
                "pruned": self.pruned,
                "failed": self.failed,
                "finished": self.finished,
                "running": len(self.running),
                "running_trials": [asdict(r) for r in sorted(self.running.values(), key=lambda r: r.trial)],
                "best_accuracy": self.best_accuracy,
                "best_score": self.best_score,
                "best_trial": self.best_trial,
                "mode": self.mode,
                "average_duration_s": sum(self.durations) / len(self.durations) if self.durations else None,
                "elapsed_s": time.time() - self.started,
                "eta_s": self.eta_seconds(),
                "notices": list(self.notices[-5:]),
            }
