"""Every part of Optuna nettune uses that is not public API, in one place (each has a contract test in
tests/test_optuna_compat.py, so an Optuna upgrade that moves one fails there, not somewhere in a study).

Why they are needed: a trial's process reports and prunes through the trial's storage id (Optuna has no public
`trial_id`); crash recovery reads the storage's stale-trial query and heartbeat flag; heartbeat settings live in
the study's system attributes; and the storage a study wraps in its cache is where nettune's heartbeats live.
"""

from __future__ import annotations

from typing import Any

import optuna
from optuna.storages import BaseStorage
from optuna.storages._heartbeat import is_heartbeat_enabled


def trial_id(trial: optuna.Trial | optuna.trial.FrozenTrial) -> int:
    return int(trial._trial_id)


def study_id(study: optuna.Study) -> int:
    return int(study._study_id)


def storage_of(study: optuna.Study) -> BaseStorage:
    return study._storage


def unwrapped_storage(study: optuna.Study) -> BaseStorage:
    """The storage under Optuna's caching wrapper (RDB storages are wrapped in _CachedStorage)."""
    storage = study._storage
    return getattr(storage, "_backend", storage)


def heartbeat_enabled(study: optuna.Study) -> bool:
    return bool(is_heartbeat_enabled(study._storage))


def stale_trial_ids(study: optuna.Study) -> list[int]:
    return list(study._storage._get_stale_trial_ids(study._study_id))  # type: ignore[attr-defined]


def study_system_attrs(study: optuna.Study) -> dict[str, Any]:
    return dict(study._storage.get_study_system_attrs(study._study_id))


def set_study_system_attr(study: optuna.Study, key: str, value: Any) -> None:
    study._storage.set_study_system_attr(study._study_id, key, value)
