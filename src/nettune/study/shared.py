"""A study in shared storage, seen from one participant (the orchestrator or a pull worker).

Every participant takes trials through `claim()`, which counts the whole study's finished and running trials
(on every host) against the budget under a database-wide lock, so the study finishes exactly `trials` trials;
recovers trials whose process died; and turns other hosts' trials into progress events (`poll()`).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import socket
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import optuna
import sqlalchemy
from optuna.trial import FrozenTrial, TrialState

from nettune.progress.events import Event, TrialFinished, TrialStarted
from nettune.study.heartbeat import HeartbeatStorage, heartbeat_backend
from nettune.study.optuna_compat import study_id, trial_id
from nettune.study.storage import counts_toward_budget, fail_stale_trials
from nettune.study.trial_record import TrialRecord

log = logging.getLogger("nettune.study")

POLL_S = 1.0  # how often other hosts' trials are looked at
LOCK_NAMESPACE = 0x6E74  # high bits of the PostgreSQL advisory-lock key ("nt"), low bits: the study id


def participant_name(role: str) -> str:
    return f"{socket.gethostname()}/{role}-{os.getpid()}"


class SharedStudy:
    def __init__(self, study: optuna.Study, trials: int, name: str) -> None:
        backend = heartbeat_backend(study)
        if backend is None:
            raise ValueError("a shared study needs heartbeat storage (study/heartbeat.py open_storage)")
        self.study, self.trials, self.name, self.backend = study, trials, name, backend
        self.local: set[int] = set()  # trials this participant claimed: its executor reports them
        self._running: set[int] = set()
        self._reported: set[int] = {t.number for t in self._trials() if t.state.is_finished()}
        self._next_poll = 0.0
        self._next_recovery = 0.0

    # -- the budget ----------------------------------------------------------------------------------------
    def _trials(self) -> list[FrozenTrial]:
        return self.study.get_trials(deepcopy=False)

    def counted(self) -> int:
        """Finished trials that count toward the budget, on every host."""
        return sum(counts_toward_budget(t) for t in self._trials())

    def open_slots(self) -> int:
        trials = self._trials()
        taken = sum(counts_toward_budget(t) or t.state == TrialState.RUNNING for t in trials)
        return self.trials - taken

    def done(self) -> bool:
        return self.counted() >= self.trials

    def claim(self) -> optuna.Trial | None:
        """A trial for this participant to run (a queued retry first), or None when the budget is taken."""
        self.recover()
        with _budget_lock(self.backend, study_id(self.study)):
            if self.open_slots() <= 0:
                return None
            waiting = self.study.get_trials(deepcopy=False, states=(TrialState.WAITING,))
            if not waiting:
                self.study.add_trial(optuna.trial.create_trial(state=TrialState.WAITING))
                waiting = self.study.get_trials(deepcopy=False, states=(TrialState.WAITING,))
            # Every trial becomes RUNNING with a heartbeat already on record, so even a process killed right
            # after taking it leaves a trial that goes stale (a RUNNING trial without any beat never would).
            for trial in waiting:
                self.backend.record_heartbeat(trial_id(trial))
            with warnings.catch_warnings():  # Optuna expects heartbeats only inside Study.optimize
                warnings.filterwarnings("ignore", message="Heartbeat of storage is supposed")
                trial = self.study.ask()
        self.local.add(trial.number)
        trial.set_user_attr("host", self.name)
        return trial

    def recover(self, force: bool = False) -> list[int]:
        """Fail and requeue trials whose process stopped beating (at most once per heartbeat interval)."""
        now = time.monotonic()
        if not force and now < self._next_recovery:
            return []
        self._next_recovery = now + self.backend.settings.interval
        return fail_stale_trials(self.study, own_storage=False)

    # -- other hosts' trials as progress events -----------------------------------------------------------
    def poll(self) -> list[Event]:
        now = time.monotonic()
        if now < self._next_poll:
            return []
        self._next_poll = now + POLL_S
        self.recover()
        events: list[Event] = []
        for t in self._trials():
            if t.number in self.local or t.number in self._reported:
                continue
            planned = t.user_attrs.get("model_config", {}).get("epochs")
            if t.state == TrialState.RUNNING and t.number not in self._running and planned:
                self._running.add(t.number)
                events.append(TrialStarted(trial=t.number, total_epochs=int(planned),
                                           params=dict(t.params), worker=t.user_attrs.get("host", "another host")))
            elif t.state.is_finished():
                self._running.discard(t.number)
                self._reported.add(t.number)
                events.append(TrialFinished(trial=t.number,
                                            outcome=TrialRecord.from_frozen_trial(t).progress_outcome()))
        return events

    def finish(self, explain_best: bool = False) -> None:
        """Stop heartbeats; with explain_best, say when the best trial's files (the optimized model's source)
        are not on this machine."""
        self.backend.close()
        if not explain_best:
            return
        complete = [t for t in self._trials() if t.state == TrialState.COMPLETE]
        if not complete:
            return
        best = max(complete, key=lambda t: t.value or 0.0)
        trial_dir = best.user_attrs.get("trial_dir")
        if trial_dir and not (Path(trial_dir) / "model.pt").exists():
            log.warning("best trial %d ran on %s and its files (%s) are not reachable from this machine, so no "
                        "optimized_model/ can be assembled here; copy that directory to the same path here (or "
                        "share the output directory between hosts) and run the same command again",
                        best.number, best.user_attrs.get("worker", best.user_attrs.get("host", "another host")),
                        trial_dir)


@contextlib.contextmanager
def _budget_lock(backend: HeartbeatStorage, study_id: int) -> Iterator[None]:
    """Counting the budget and taking a trial must not interleave between participants, or two of them could
    both take the last slot. PostgreSQL: an advisory lock; SQLite: a lock file beside the database (one machine).
    Other databases get no lock: rarely, the study may then finish a trial or two more than asked."""
    url = sqlalchemy.engine.make_url(backend.url)
    if url.get_backend_name() == "postgresql":
        key = (LOCK_NAMESPACE << 32) | study_id
        with backend.engine.connect() as conn:
            conn.execute(sqlalchemy.text("SELECT pg_advisory_lock(:key)"), {"key": key})
            try:
                yield
            finally:
                conn.execute(sqlalchemy.text("SELECT pg_advisory_unlock(:key)"), {"key": key})
    elif url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        with open(f"{url.database}.nettune-lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    else:
        yield
