"""TrialStatus and TrialRecord: one vocabulary, one record, and the formats that predate them still read the same."""

import typing

import optuna
import pytest
from optuna.trial import TrialState

from nettune.api.models import TrialState as ApiTrialState
from nettune.errors import ConfigError
from nettune.study.record import record_outcome
from nettune.study.storage import counts_toward_budget
from nettune.study.trial_record import TrialRecord
from nettune.trials.job import TrialOutcome, checked_outcome
from nettune.trials.state import API_STATES, FINISHED, TrialStatus

HEALTH = {"overall": 0.7, "metrics": {"gradient_health": 0.9}, "summary": "fine"}


def _outcome(state: TrialStatus, **fields: typing.Any) -> TrialOutcome:
    base = {"number": 0, "state": state, "value": 0.8 if state == TrialStatus.COMPLETE else None,
            "metrics": {"val_accuracy": 0.81, "test_accuracy": 0.79, "epochs_run": 2, "val_loss": 0.5},
            "health": HEALTH, "param_count": 1234, "worker": "local-0", "started_at": 100.0,
            "finished_at": 112.5, "trial_dir": "/runs/x/trials/0000"}
    return TrialOutcome(**{**base, **fields})


def _recorded(*outcomes: TrialOutcome) -> list[optuna.trial.FrozenTrial]:
    study = optuna.create_study(direction="maximize")
    for outcome in outcomes:
        trial = study.ask()
        outcome.number = trial.number
        assert record_outcome(study, trial, outcome)
    return study.get_trials(deepcopy=False)


def test_the_api_spells_exactly_the_states_the_enum_names():
    assert typing.get_args(ApiTrialState) == API_STATES
    assert [s.api_name for s in FINISHED] == ["COMPLETE", "PRUNED", "FAIL", "INTERRUPTED"]
    assert [s.results_name for s in FINISHED] == ["complete", "pruned", "fail", "interrupted"]
    assert [s.count_name for s in FINISHED] == ["complete", "pruned", "failed", "interrupted"]


def test_an_outcome_takes_its_state_from_the_wire_and_writes_it_back_plainly():
    outcome = TrialOutcome.from_dict({"number": 3, "state": "cancelled", "duration_s": 1.0})
    assert outcome.state is TrialStatus.CANCELLED
    assert type(outcome.to_dict()["state"]) is str and outcome.to_dict()["state"] == "cancelled"
    with pytest.raises(ValueError):
        TrialOutcome(number=1, state="interrupted")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="not one of complete, pruned, failed, cancelled"):
        checked_outcome({"state": "running"}, 1)


def test_recorded_outcomes_read_back_as_the_same_record():
    outcomes = [_outcome(TrialStatus.COMPLETE), _outcome(TrialStatus.PRUNED, health=None),
                _outcome(TrialStatus.FAILED, error="boom", health=None, param_count=0),
                _outcome(TrialStatus.CANCELLED, error="cancelled by the user", health=None)]
    trials = _recorded(*outcomes)
    records = [TrialRecord.from_frozen_trial(t) for t in trials]
    assert [r.status for r in records] == list(FINISHED)
    assert [t.state for t in trials] == [TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL, TrialState.FAIL]
    assert trials[3].user_attrs["interrupted"] is True and "interrupted" not in trials[2].user_attrs
    complete = records[0]
    assert complete.value == 0.8 and complete.health == 0.7 and complete.health_metrics == {"gradient_health": 0.9}
    # Only the recorded metrics become attributes: val_loss stays in the trial's files.
    assert complete.metrics == {"val_accuracy": 0.81, "test_accuracy": 0.79, "epochs_run": 2}
    assert (complete.duration_s, complete.worker, complete.param_count) == (12.5, "local-0", 1234)
    assert records[1].health is None and "health" not in trials[1].user_attrs
    assert records[2].error == "boom"
    # What the study loop writes is what the record says it writes.
    for outcome, trial in zip(outcomes, trials, strict=True):
        assert TrialRecord.from_outcome(outcome).to_user_attrs() == trial.user_attrs
    assert [counts_toward_budget(t) for t in trials] == [True, True, True, False]


def test_a_record_from_an_outcome_keeps_what_only_the_stored_trial_knows():
    (trial,) = _recorded(_outcome(TrialStatus.COMPLETE))
    stored = TrialRecord.from_frozen_trial(trial)
    stored.model_config, stored.host, stored.params = {"epochs": 2}, "host/optimize-1", {"lr": 0.01}
    later = TrialRecord.from_outcome(_outcome(TrialStatus.FAILED, health=None, metrics={}, error="x"), base=stored)
    assert later.status == TrialStatus.FAILED and later.value is None and later.error == "x"
    assert (later.model_config, later.host, later.params) == ({"epochs": 2}, "host/optimize-1", {"lr": 0.01})
    assert later.metrics == stored.metrics and later.health == 0.7  # the outcome carried none of its own


def test_another_participants_trial_becomes_the_outcome_progress_reads():
    (trial,) = _recorded(_outcome(TrialStatus.CANCELLED, error="stopped"))
    sent = TrialRecord.from_frozen_trial(trial).progress_outcome()
    assert sent == {"number": 0, "state": "cancelled", "value": None,
                    "metrics": {"val_accuracy": 0.81, "test_accuracy": 0.79}, "error": "stopped",
                    "worker": "local-0", "duration_s": 12.5, "trial_dir": "/runs/x/trials/0000"}
    assert type(sent["state"]) is str
