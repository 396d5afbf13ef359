"""TrialStatus: the one vocabulary for a trial's state, and how each older format spells it.

Outcomes, the study loop, results.json, the shared study and the API all speak TrialStatus. The formats that
predate it (results.json rows and counts, the API's upper-case states) keep their spellings so existing files,
dashboards and clients read the same; those spellings are derived here, in one table, so a state cannot be
missed in one of them.
"""

from __future__ import annotations

from enum import StrEnum

from optuna.trial import FrozenTrial, TrialState


class TrialStatus(StrEnum):
    # The values are what a TrialOutcome carries on the wire and in outcome.json.
    WAITING = "waiting"
    RUNNING = "running"
    COMPLETE = "complete"
    PRUNED = "pruned"
    FAILED = "failed"
    CANCELLED = "cancelled"  # stopped by the user or a crash; does not count toward the budget, rerun on resume

    @property
    def finished(self) -> bool:
        return self in FINISHED

    @property
    def counts_toward_budget(self) -> bool:
        return self in (TrialStatus.COMPLETE, TrialStatus.PRUNED, TrialStatus.FAILED)

    @property
    def api_name(self) -> str:
        """The API's (and the dashboard's) spelling: COMPLETE, PRUNED, FAIL, INTERRUPTED, RUNNING, WAITING."""
        return _SPELLINGS[self][0]

    @property
    def results_name(self) -> str:
        """results.json's per-trial spelling: complete, pruned, fail, interrupted, running, waiting."""
        return _SPELLINGS[self][1]

    @property
    def count_name(self) -> str:
        """The key a finished trial is counted under in results.json's counts: complete, pruned, failed,
        interrupted."""
        return _SPELLINGS[self][2]

    @property
    def optuna_state(self) -> TrialState:
        return _OPTUNA[self]

    @classmethod
    def of(cls, trial: FrozenTrial) -> TrialStatus:
        """A stored trial's status: Optuna's state, with a FAIL marked `interrupted` read as CANCELLED."""
        if trial.state == TrialState.FAIL and trial.user_attrs.get("interrupted"):
            return cls.CANCELLED
        return _FROM_OPTUNA[trial.state]


# What a finished trial's outcome may say; also results.json's counts, in this order.
FINISHED: tuple[TrialStatus, ...] = (TrialStatus.COMPLETE, TrialStatus.PRUNED, TrialStatus.FAILED,
                                     TrialStatus.CANCELLED)
# (API, results.json row, results.json count key)
_SPELLINGS: dict[TrialStatus, tuple[str, str, str]] = {
    TrialStatus.WAITING: ("WAITING", "waiting", "waiting"),
    TrialStatus.RUNNING: ("RUNNING", "running", "running"),
    TrialStatus.COMPLETE: ("COMPLETE", "complete", "complete"),
    TrialStatus.PRUNED: ("PRUNED", "pruned", "pruned"),
    TrialStatus.FAILED: ("FAIL", "fail", "failed"),
    TrialStatus.CANCELLED: ("INTERRUPTED", "interrupted", "interrupted"),
}
# A cancelled trial is an Optuna FAIL marked `interrupted` (Optuna has no state of its own for it).
_OPTUNA: dict[TrialStatus, TrialState] = {
    TrialStatus.WAITING: TrialState.WAITING,
    TrialStatus.RUNNING: TrialState.RUNNING,
    TrialStatus.COMPLETE: TrialState.COMPLETE,
    TrialStatus.PRUNED: TrialState.PRUNED,
    TrialStatus.FAILED: TrialState.FAIL,
    TrialStatus.CANCELLED: TrialState.FAIL,
}
_FROM_OPTUNA: dict[TrialState, TrialStatus] = {
    TrialState.WAITING: TrialStatus.WAITING,
    TrialState.RUNNING: TrialStatus.RUNNING,
    TrialState.COMPLETE: TrialStatus.COMPLETE,
    TrialState.PRUNED: TrialStatus.PRUNED,
    TrialState.FAIL: TrialStatus.FAILED,
}
API_STATES: tuple[str, ...] = tuple(status.api_name for status in TrialStatus)  # api/models.py TrialState
