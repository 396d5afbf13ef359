"""Recording a trial's outcome in the study: the one way it is done, exactly once per trial."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import optuna
from optuna.trial import FrozenTrial, TrialState

from nettune.progress.state import StudyProgress
from nettune.study.trial_record import TrialRecord
from nettune.trials.job import TrialOutcome
from nettune.trials.state import TrialStatus

log = logging.getLogger("nettune.study")


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
    record = TrialRecord.from_outcome(outcome)
    for key, value in record.to_user_attrs().items():
        trial.set_user_attr(key, value)
    if outcome.state == TrialStatus.COMPLETE:
        study.tell(trial, outcome.value)
        log.info("trial %d complete: objective %.4f, val acc %.4f, test acc %.4f, %.1fs", outcome.number,
                 outcome.value, outcome.metrics.get("val_accuracy", 0), outcome.metrics.get("test_accuracy", 0),
                 outcome.duration_s)
    elif outcome.state == TrialStatus.PRUNED:
        study.tell(trial, state=TrialState.PRUNED)
        log.info("trial %d pruned: %s", outcome.number, outcome.error)
    else:
        study.tell(trial, state=record.status.optuna_state)
        log.warning("trial %d %s: %s", outcome.number, outcome.state, outcome.error)


def seed_progress(progress: StudyProgress, trials: Iterable[FrozenTrial], durations: bool = False) -> None:
    """Count the trials a study already finished (a resumed run, another host's work, a job a dead server left),
    the same way everywhere."""
    for trial in trials:
        status = TrialStatus.of(trial)
        if status.counts_toward_budget:
            progress.record_previous(status, trial.value, trial.user_attrs.get("val_accuracy"),
                                     trial.number)
            if durations and trial.user_attrs.get("duration_s") is not None:
                progress.durations.append(float(trial.user_attrs["duration_s"]))
