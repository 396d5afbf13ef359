"""One contract test per non-public Optuna touchpoint (study/optuna_compat.py): an Optuna upgrade that moves
one of them fails here, by name."""

from __future__ import annotations

import time
import warnings

import optuna
import pytest
from optuna.storages import RDBStorage

from nettune.study import optuna_compat as compat


@pytest.fixture
def storage(tmp_path):
    return RDBStorage(f"sqlite:///{tmp_path / 'study.db'}")


@pytest.fixture
def study(storage):
    return optuna.create_study(study_name="contract", storage=storage)


def test_trial_id_is_the_storage_id_of_the_trial(study, storage):
    trial = study.ask()
    assert storage.get_trial(compat.trial_id(trial)).number == trial.number
    frozen = study.get_trials()[0]
    assert compat.trial_id(frozen) == compat.trial_id(trial)


def test_study_id_is_the_storage_id_of_the_study(study, storage):
    assert compat.study_id(study) == storage.get_study_id_from_name("contract")


def test_storage_of_and_unwrapped_storage(study, storage):
    study.ask()
    assert len(compat.storage_of(study).get_all_trials(compat.study_id(study))) == 1
    assert compat.unwrapped_storage(study) is storage  # under Optuna's cache wrapper


def test_study_system_attrs_round_trip(study):
    compat.set_study_system_attr(study, "nettune:test", {"a": 1})
    assert compat.study_system_attrs(study)["nettune:test"] == {"a": 1}


def test_heartbeat_flag_and_stale_trials(tmp_path, study):
    assert compat.heartbeat_enabled(study) is False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        beating = RDBStorage(f"sqlite:///{tmp_path / 'hb.db'}", heartbeat_interval=1, grace_period=1)
        hb_study = optuna.create_study(study_name="hb", storage=beating)
        trial = hb_study.ask()
        beating.record_heartbeat(compat.trial_id(trial))
    assert compat.heartbeat_enabled(hb_study) is True
    assert compat.stale_trial_ids(hb_study) == []
    time.sleep(2.2)  # past the grace period without a beat
    assert compat.stale_trial_ids(hb_study) == [compat.trial_id(trial)]
