"""Crash recovery: trials whose process died are failed and queued again with the same parameters.

A recovered trial is marked `interrupted` (it does not count toward the trial budget) and a WAITING copy with
the same parameters is added, which the next `ask()` on any host takes. A trial whose copies keep dying is
retried at most `max_retry` times; the last one is recorded as an ordinary failure, so the study moves on.
The copies carry Optuna's own retry attributes (`failed_trial`, `retry_history`), so
`optuna.storages.RetryHeartbeatStaleTrialCallback.retried_trial_number()` works on them.
"""

from __future__ import annotations

import logging

import optuna
from optuna.trial import FrozenTrial, TrialState

from nettune.study.optuna_compat import heartbeat_enabled, stale_trial_ids, storage_of, trial_id

log = logging.getLogger("nettune.study")

KEPT_USER_ATTRS = ("baseline",)  # what a retry inherits; results of the dead attempt stay with it


def recover_trials(study: optuna.Study, *, every_running: bool, max_retry: int) -> list[int]:
    """Fail and requeue dead trials; returns their numbers.

    every_running: every RUNNING trial is dead (the run's own SQLite file, which only this process writes);
    otherwise only those whose heartbeat is older than the grace period (shared storage).
    """
    storage = storage_of(study)
    if every_running:
        ids = [trial_id(t) for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))]
    elif heartbeat_enabled(study):
        ids = stale_trial_ids(study)
    else:
        ids = []
    recovered = []
    for stale_id in ids:
        trial = storage.get_trial(stale_id)
        history = [*trial.system_attrs.get("retry_history", []), trial.number]
        retry = len(history) <= max_retry
        try:
            # Marked while still RUNNING (a finished trial is read-only); if two hosts race here, only one
            # of them succeeds in failing it below, and only that one queues the retry.
            if retry:
                storage.set_trial_user_attr(stale_id, "interrupted", True)
            else:
                storage.set_trial_user_attr(stale_id, "error", f"its process died {len(history)} times "
                                            f"(trials {history}); not retried again")
            storage.set_trial_state_values(stale_id, TrialState.FAIL)
        except optuna.exceptions.UpdateFinishedTrialError:
            continue  # it finished meanwhile, or another process recovered it first
        if retry:
            requeue(study, trial, history)
            log.warning("trial %d was left running by a process that died; queued again with the same "
                        "parameters (retry %d of %d)", trial.number, len(history), max_retry)
        else:
            log.warning("trial %d was left running by a process that died; retried %d times already, "
                        "recorded as failed", trial.number, max_retry)
        recovered.append(trial.number)
    return recovered


def requeue(study: optuna.Study, trial: FrozenTrial, history: list[int]) -> None:
    """A WAITING copy of `trial` with its parameters; `history` lists the attempts so far, oldest first."""
    study.add_trial(optuna.trial.create_trial(
        state=TrialState.WAITING,
        params=trial.params,
        distributions=trial.distributions,
        user_attrs={k: v for k, v in trial.user_attrs.items() if k in KEPT_USER_ATTRS},
        system_attrs={"failed_trial": history[0], "retry_history": history},
    ))
