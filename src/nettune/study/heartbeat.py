"""Heartbeats for trials in shared storage: a process that dies stops beating, and its trials go stale.

Optuna's RDBStorage keeps one heartbeat row per running trial, stamped with the database's clock (so hosts need
not agree on the time), and reports trials whose last beat is older than a grace period. `Study.optimize`
beats for its trial; nettune's study loop is ask/tell, so `HeartbeatStorage` beats by itself: from the moment
this process moves a trial to RUNNING until it finishes it, one background thread records a beat for it every
`interval` seconds.

Interval, grace period and retry limit belong to the study (every host must judge staleness the same way):
they are stored in it when it is created, from $NETTUNE_HEARTBEAT_INTERVAL, $NETTUNE_HEARTBEAT_GRACE and
$NETTUNE_MAX_RETRY or the defaults below.
"""

from __future__ import annotations

import logging
import os
import threading
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import optuna
from optuna.storages import RDBStorage
from optuna.trial import TrialState

from nettune.errors import ConfigError
from nettune.storage_url import fast_sqlite, with_driver
from nettune.study.optuna_compat import set_study_system_attr, study_system_attrs, unwrapped_storage

log = logging.getLogger("nettune.study")

SETTINGS_ATTR = "nettune:heartbeat"  # study system attribute


@dataclass(frozen=True)
class HeartbeatSettings:
    interval: int = 10  # seconds between beats
    grace_period: int = 60  # a running trial whose last beat is older than this is stale
    max_retry: int = 2  # a stale trial is queued again with the same parameters at most this many times

    def __post_init__(self) -> None:
        if self.interval < 1 or self.grace_period <= self.interval or self.max_retry < 0:
            raise ConfigError(f"heartbeat settings {asdict(self)} are not valid: interval >= 1 s, grace period "
                              "longer than the interval, max_retry >= 0")

    @classmethod
    def from_env(cls) -> HeartbeatSettings:
        def read(name: str, default: int) -> int:
            raw = os.environ.get(name, "").strip()
            if not raw:
                return default
            try:
                return int(raw)
            except ValueError:
                raise ConfigError(f"${name}={raw!r} is not valid; expected a whole number") from None

        return cls(read("NETTUNE_HEARTBEAT_INTERVAL", cls.interval), read("NETTUNE_HEARTBEAT_GRACE", cls.grace_period),
                   read("NETTUNE_MAX_RETRY", cls.max_retry))

    @classmethod
    def of(cls, study: optuna.Study) -> HeartbeatSettings:
        """The study's own settings (those from the environment for a study created before they were stored)."""
        stored = study_system_attrs(study).get(SETTINGS_ATTR)
        return cls(**stored) if stored else cls.from_env()

    def store(self, study: optuna.Study) -> None:
        set_study_system_attr(study, SETTINGS_ATTR, asdict(self))


class HeartbeatStorage(RDBStorage):
    """An RDBStorage that keeps every trial this process runs alive with a heartbeat."""

    def __init__(self, url: str, settings: HeartbeatSettings) -> None:
        engine_kwargs: dict[str, Any] = {} if url.startswith("sqlite") else {"pool_pre_ping": True}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            super().__init__(url, engine_kwargs=engine_kwargs, heartbeat_interval=settings.interval,
                             grace_period=settings.grace_period)
        self.settings = settings
        self._beating: set[int] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def use(self, settings: HeartbeatSettings) -> None:
        """Adopt the study's settings (known only once the study is open)."""
        self.settings, self.heartbeat_interval, self.grace_period = settings, settings.interval, settings.grace_period

    def set_trial_state_values(self, trial_id: int, state: TrialState,
                               values: Sequence[float] | None = None) -> bool:
        try:
            changed = super().set_trial_state_values(trial_id, state, values)
        except optuna.exceptions.UpdateFinishedTrialError:
            self.stop_beating(trial_id)  # another process already finished it (declared it stale)
            raise
        if state == TrialState.RUNNING and changed:
            self.start_beating(trial_id)
        elif state.is_finished():
            self.stop_beating(trial_id)
        return changed

    def start_beating(self, trial_id: int) -> None:
        self.record_heartbeat(trial_id)
        with self._lock:
            self._beating.add(trial_id)
            if self._thread is None:
                self._thread = threading.Thread(target=self._beat_forever, daemon=True, name="nettune-heartbeat")
                self._thread.start()

    def stop_beating(self, trial_id: int) -> None:
        with self._lock:
            self._beating.discard(trial_id)

    def beating(self) -> set[int]:
        with self._lock:
            return set(self._beating)

    def _beat_forever(self) -> None:
        while not self._stop.wait(self.settings.interval):
            for trial_id in self.beating():
                try:
                    self.record_heartbeat(trial_id)
                except Exception as exc:  # a database hiccup: the next beat may get through within the grace period
                    log.warning("heartbeat for trial id %d failed: %s", trial_id, str(exc).splitlines()[0])

    def close(self) -> None:
        """Stop beating (the trials this process still holds will go stale) and release connections."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.remove_session()
        self.engine.dispose()


def open_storage(url: str, *, shared: bool) -> RDBStorage:
    """Shared storage gets heartbeats; the run's own SQLite file does not need them (only this process writes)."""
    url = with_driver(url)
    storage = HeartbeatStorage(url, HeartbeatSettings.from_env()) if shared else RDBStorage(url)
    if url.startswith("sqlite"):
        fast_sqlite(storage.engine)
    return storage


def heartbeat_backend(study: optuna.Study) -> HeartbeatStorage | None:
    """The study's HeartbeatStorage, under Optuna's caching wrapper, if it has one."""
    backend = unwrapped_storage(study)
    return backend if isinstance(backend, HeartbeatStorage) else None
