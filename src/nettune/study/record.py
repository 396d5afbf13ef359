"""Recording a trial's outcome in the study: the one way it is done, exactly once per trial."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState

from nettune.progress.state import StudyProgress
from nettune.study.storage import counts_toward_budget
from nettune.trials.job import TrialOutcome

log = logging.getLogger("nettune.study")

# Metrics copied onto the trial as user attributes (what results.json, the API and optuna-dashboard read).
RECORDED_METRICS = ("val_accuracy", "test_accuracy", "train_accuracy", "epochs_run", "best_epoch", "stop_reason",
                    "predicted_s", "skipped", "threads")


def record_outcome(study: optuna.Study, trial: optuna.Trial, outcome: TrialOutcome) -> bool:
    """Write the outcome's attributes and tell the study; False when another participant had already finished
    the trial (on shared storage it declared this one dead and queued a retry, which owns it now)."""
    try:
        _record(study, trial, outcome)
    except optuna.exceptions.UpdateFinishedTrialError:
        log.warning("trial %d was declared dead by another participant while it ran here; its result (%s) is "
                    "discarded and the queued retry runs it again", trial.number, outcome.state)
        return False
    return True


def _record(study: optuna.Study, trial: optuna.Trial, outcome: TrialOutcome) -> None:
    attrs: dict[str, Any] = {
        "duration_s": round(outcome.duration_s, 3),
        "worker": outcome.worker,
        "started_at": outcome.started_at,
        "finished_at": outcome.finished_at,
        "param_count": outcome.param_count,
        "trial_dir": outcome.trial_dir,
    }
    attrs |= {key: outcome.metrics[key] for key in RECORDED_METRICS if key in outcome.metrics}
    if outcome.health:
        attrs["health"] = outcome.health.get("overall")
        attrs["health_metrics"] = outcome.health.get("metrics")
    if outcome.error:
        attrs["error"] = outcome.error
    if outcome.state == "cancelled":
        attrs["interrupted"] = True
    for key, value in attrs.items():
        trial.set_user_attr(key, value)
    if outcome.state == "complete":
        study.tell(trial, outcome.value)
        log.info("trial %d complete: objective %.4f, val acc %.4f, test acc %.4f, %.1fs", outcome.number,
                 outcome.value, outcome.metrics.get("val_accuracy", 0), outcome.metrics.get("test_accuracy", 0),
                 outcome.duration_s)
    elif outcome.state == "pruned":
        study.tell(trial, state=TrialState.PRUNED)
        log.info("trial %d pruned: %s", outcome.number, outcome.error)
    else:
        study.tell(trial, state=TrialState.FAIL)
        log.warning("trial %d %s: %s", outcome.number, outcome.state, outcome.error)


def outcome_state(state: TrialState) -> str:
    """A finished trial's state in the outcome vocabulary progress counts in."""
    return {TrialState.COMPLETE: "complete", TrialState.PRUNED: "pruned"}.get(state, "failed")


def seed_progress(progress: StudyProgress, trials: Iterable[FrozenTrial], durations: bool = False) -> None:
    """Count the trials a study already finished (a resumed run, another host's work, a job a dead server left),
    the same way everywhere."""
    for trial in trials:
        if counts_toward_budget(trial):
            progress.record_previous(outcome_state(trial.state), trial.value, trial.user_attrs.get("val_accuracy"),
                                     trial.number)
            if durations and trial.user_attrs.get("duration_s") is not None:
                progress.durations.append(float(trial.user_attrs["duration_s"]))
