"""TrialRecord: one trial as the study keeps it, converted to and from Optuna's state and user attributes.

The study loop writes it (record_outcome), and results.json, the shared study's progress events and the API
read it back: every reader sees the same fields under the same names, and none parses attributes itself.
Fields a trial never recorded stay None (a trial that failed before it trained has no duration).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from optuna.trial import FrozenTrial

from nettune.trials.job import TrialOutcome
from nettune.trials.state import TrialStatus

# Metrics copied onto the trial as user attributes (what results.json, the API and optuna-dashboard read).
RECORDED_METRICS = ("val_accuracy", "test_accuracy", "train_accuracy", "epochs_run", "best_epoch", "stop_reason",
                    "predicted_s", "skipped", "threads")
# Written for every recorded outcome, even when empty (None), so readers can tell "recorded" from "running".
_ALWAYS = ("duration_s", "worker", "started_at", "finished_at", "param_count", "trial_dir")


@dataclass
class TrialRecord:
    number: int
    status: TrialStatus
    value: float | None = None  # the objective, for complete trials
    params: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)  # those of RECORDED_METRICS the trial recorded
    health: float | None = None  # the overall health score
    health_metrics: dict[str, Any] | None = None
    param_count: int | None = None
    duration_s: float | None = None
    worker: str | None = None  # where it trained
    host: str | None = None  # the participant that claimed it (shared studies)
    started_at: float | None = None
    finished_at: float | None = None
    trial_dir: str | None = None
    error: str | None = None
    model_config: dict[str, Any] | None = None

    @classmethod
    def from_outcome(cls, outcome: TrialOutcome, base: TrialRecord | None = None) -> TrialRecord:
        """What an outcome records; `base` (the stored trial, if any) supplies what the outcome does not carry:
        parameters, model config, host, and its metrics and health where the outcome has none."""
        base = base or cls(number=outcome.number, status=outcome.state)
        health = outcome.health or {}
        return cls(
            number=outcome.number,
            status=outcome.state,
            value=outcome.value if outcome.state == TrialStatus.COMPLETE else None,
            params=dict(base.params),
            metrics={**base.metrics, **{k: outcome.metrics[k] for k in RECORDED_METRICS if k in outcome.metrics}},
            health=health.get("overall") if health else base.health,
            health_metrics=health.get("metrics") if health else base.health_metrics,
            param_count=outcome.param_count,
            duration_s=round(outcome.duration_s, 3),
            worker=outcome.worker,
            host=base.host,
            started_at=outcome.started_at,
            finished_at=outcome.finished_at,
            trial_dir=outcome.trial_dir,
            error=outcome.error,
            model_config=base.model_config,
        )

    def to_user_attrs(self) -> dict[str, Any]:
        """The user attributes the study loop writes when this trial finishes (parameters, model config and host
        were written when it started)."""
        attrs: dict[str, Any] = {key: getattr(self, key) for key in _ALWAYS}
        attrs |= self.metrics
        if self.health is not None or self.health_metrics is not None:
            attrs["health"], attrs["health_metrics"] = self.health, self.health_metrics
        if self.error:
            attrs["error"] = self.error
        if self.status == TrialStatus.CANCELLED:
            attrs["interrupted"] = True  # Optuna has no state for it: a FAIL marked so (trials/state.py)
        return attrs

    @classmethod
    def from_frozen_trial(cls, trial: FrozenTrial) -> TrialRecord:
        a = trial.user_attrs
        return cls(
            number=trial.number,
            status=TrialStatus.of(trial),
            value=trial.value,
            params=dict(trial.params),
            metrics={k: a[k] for k in RECORDED_METRICS if k in a},
            health=a.get("health"),
            health_metrics=a.get("health_metrics"),
            param_count=a.get("param_count"),
            duration_s=a.get("duration_s"),
            worker=a.get("worker"),
            host=a.get("host"),
            started_at=a.get("started_at"),
            finished_at=a.get("finished_at"),
            trial_dir=a.get("trial_dir"),
            error=a.get("error"),
            model_config=a.get("model_config"),
        )

    def progress_outcome(self) -> dict[str, Any]:
        """The fields of TrialOutcome.to_dict() that progress and displays read, for a trial another participant
        ran (the TrialFinished event this participant's progress counts)."""
        return {"number": self.number, "state": self.status.value, "value": self.value,
                "metrics": {k: self.metrics[k] for k in ("val_accuracy", "test_accuracy") if k in self.metrics},
                "error": self.error, "worker": self.worker or self.host or "another host",
                "duration_s": self.duration_s if self.duration_s is not None else 0.0, "trial_dir": self.trial_dir}
