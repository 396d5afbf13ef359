"""Heartbeat staleness on real PostgreSQL: a trial whose process stops beating is failed and queued again with
the same parameters, at most max_retry times; a trial that still beats is left alone; a late result from a
trial declared dead is discarded, not written over the retry."""

from __future__ import annotations

import time

import pytest
from optuna.storages import RetryHeartbeatStaleTrialCallback
from optuna.trial import TrialState

from nettune.config import OptimizationConfig
from nettune.study.heartbeat import HeartbeatSettings, heartbeat_backend
from nettune.study.record import record_outcome
from nettune.study.shared import SharedStudy, participant_name
from nettune.study.storage import counts_toward_budget, open_study
from nettune.trials.job import TrialOutcome
from tests.scale.conftest import trials_of


@pytest.fixture
def shared(pg_url, tmp_path, fast_heartbeat, monkeypatch):
    monkeypatch.setenv("NETTUNE_HEARTBEAT_GRACE", "2")
    config = OptimizationConfig(dataset="mnist", trials=10, storage=pg_url, run_name="stale",
                                output_dir=str(tmp_path), warm_start=False)
    study, _ = open_study(config)
    participant = SharedStudy(study, config.trials, participant_name("test"))
    yield participant
    participant.finish()


def _claim_with_params(shared: SharedStudy):
    trial = shared.claim()
    trial.suggest_float("lr", 1e-4, 1e-1, log=True)
    trial.suggest_int("units", 8, 64)
    return trial


def _die(shared: SharedStudy, trial) -> None:
    """What a killed process looks like to the database: its trial's heartbeats stop."""
    shared.backend.stop_beating(trial._trial_id)


def _wait_past_grace(shared: SharedStudy) -> None:
    time.sleep(shared.backend.settings.grace_period + 1.2)


def test_study_carries_its_heartbeat_settings(shared, pg_url):
    assert HeartbeatSettings.of(shared.study) == HeartbeatSettings(interval=1, grace_period=2, max_retry=2)
    assert heartbeat_backend(shared.study).heartbeat_interval == 1


@pytest.mark.filterwarnings("ignore::optuna.exceptions.ExperimentalWarning")
def test_stale_trial_is_retried_with_same_parameters_at_most_max_retry_times(shared, pg_url):
    alive = _claim_with_params(shared)
    first = _claim_with_params(shared)
    numbers, params = [first.number], first.params
    _die(shared, first)
    _wait_past_grace(shared)
    assert shared.recover(force=True) == [first.number]  # the beating trial is not stale

    for attempt in (1, 2):
        retry = shared.claim()  # the queued copy comes first
        assert retry.params == params
        assert RetryHeartbeatStaleTrialCallback.retried_trial_number(shared.study._storage.get_trial(
            retry._trial_id)) == first.number
        numbers.append(retry.number)
        _die(shared, retry)
        _wait_past_grace(shared)
        assert shared.recover(force=True) == [retry.number], attempt

    trials = {t.number: t for t in trials_of(pg_url, "stale")}
    assert [trials[n].user_attrs.get("interrupted") for n in numbers] == [True, True, None]
    assert "not retried again" in trials[numbers[-1]].user_attrs["error"]
    assert [counts_toward_budget(trials[n]) for n in numbers] == [False, False, True]
    assert trials[numbers[-1]].system_attrs["retry_history"] == numbers[:-1]
    assert not any(t.state == TrialState.WAITING for t in trials.values())  # no third retry
    assert trials[alive.number].state == TrialState.RUNNING


def test_late_result_of_a_trial_declared_dead_is_discarded(shared, pg_url, caplog):
    trial = _claim_with_params(shared)
    _die(shared, trial)
    _wait_past_grace(shared)
    assert shared.recover(force=True) == [trial.number]
    # The "dead" worker was only cut off and now reports: the retry owns the parameters, nothing is overwritten.
    late = TrialOutcome(number=trial.number, state="complete", value=0.9, started_at=1.0, finished_at=2.0)
    assert record_outcome(shared.study, trial, late) is False
    trials = trials_of(pg_url, "stale")
    assert trials[trial.number].state == TrialState.FAIL and trials[trial.number].value is None
    assert trials[-1].state == TrialState.WAITING and trials[-1].params == trial.params
    assert "declared dead by another participant" in caplog.text
