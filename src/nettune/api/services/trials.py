"""TrialReader: a job's trials as API objects, read from its Optuna study and its trial directories.

Optuna holds each trial's state, parameters and the attributes the study loop recorded (metrics, timings, model
config); the trial directory holds the health report, history, architecture graph and plots. Nothing here writes:
the study belongs to the job's process.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState
from sqlalchemy.exc import OperationalError

from nettune.api.services.errors import Unavailable
from nettune.api.services.files import list_files
from nettune.errors import ConfigError
from nettune.jsonsafe import json_safe
from nettune.progress.layer_stats import LAYER_STATS_FILE
from nettune.study.trial_record import TrialRecord
from nettune.trials.job import checked_outcome
from nettune.trials.state import TrialStatus

log = logging.getLogger("nettune.api")

READ_ATTEMPTS = 3


def trial_dir(run_dir: Path, number: int) -> Path:
    # Derived, never taken from stored attributes: a path read back from storage could point anywhere.
    return run_dir / "trials" / f"{number:04d}"


@functools.lru_cache(maxsize=1024)
def _architecture(config_json: str) -> dict[str, Any] | None:
    from nettune.architecture import architecture_summary  # imports torch: only when a trial is shown

    try:
        summary = architecture_summary(json.loads(config_json))
    except Exception as exc:  # an unbuildable config still lists the trial, without an architecture
        log.debug("no architecture summary: %s", exc)
        return None
    summary["param_count"] = summary.pop("parameters")
    return summary


def architecture(model_config: dict[str, Any] | None) -> dict[str, Any] | None:
    if not model_config:
        return None
    cached = _architecture(json.dumps(model_config, sort_keys=True))
    return dict(cached) if cached is not None else None  # a copy: callers adjust it


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


class TrialReader:
    # Open study storages kept for reuse (opening one costs tens of milliseconds); the least recently used is
    # closed beyond this, so a server that has run many jobs does not keep an engine per job.
    MAX_OPEN = 4

    def __init__(self) -> None:
        self._storages: OrderedDict[Path, optuna.storages.RDBStorage] = OrderedDict()
        self._lock = threading.Lock()

    # -- reading the study ---------------------------------------------------------------------------------
    def frozen_trials(self, run_dir: Path, study_name: str) -> list[FrozenTrial]:
        storage = self._storage(run_dir)
        if storage is None:
            return []
        for attempt in range(READ_ATTEMPTS):
            try:
                study_id = storage.get_study_id_from_name(study_name)
                return storage.get_all_trials(study_id, deepcopy=False)
            except KeyError:  # the job has not created its study yet
                return []
            except (OperationalError, optuna.exceptions.StorageInternalError) as exc:
                if "no such table" in str(exc):  # the job is creating the study's tables right now
                    return []
                log.debug("reading %s failed (attempt %d): %s", run_dir, attempt + 1, exc)
                time.sleep(0.1 * (attempt + 1))
        raise Unavailable(f"the study of {run_dir.name} cannot be read right now; try again in a moment",
                          retry_after_s=1)

    def frozen_trial(self, run_dir: Path, study_name: str, number: int) -> FrozenTrial | None:
        return next((t for t in self.frozen_trials(run_dir, study_name) if t.number == number), None)

    def _storage(self, run_dir: Path) -> optuna.storages.RDBStorage | None:
        path = run_dir / "study.db"
        if not path.is_file():  # opening a missing SQLite file would create it; the job's process does that
            return None
        with self._lock:
            if run_dir in self._storages:
                self._storages.move_to_end(run_dir)
                return self._storages[run_dir]
            try:
                # Read only: the tables and their schema version are the job's business, never created here.
                storage = optuna.storages.RDBStorage(f"sqlite:///{path}", skip_table_creation=True,
                                                     skip_compatibility_check=True)
            except Exception as exc:  # being created by the job right now: try again on the next read
                log.debug("study storage %s not readable yet: %s", path, exc)
                return None
            self._storages[run_dir] = storage
            while len(self._storages) > self.MAX_OPEN:
                _, oldest = self._storages.popitem(last=False)
                oldest.engine.dispose()
            return storage

    # -- API objects ---------------------------------------------------------------------------------------
    def summaries(self, run_dir: Path, study_name: str, running: dict[int, dict[str, Any]],
                  job_running: bool) -> list[dict[str, Any]]:
        trials = self.frozen_trials(run_dir, study_name)
        best = best_number(trials)
        return [self.summary(run_dir, t, best, running.get(t.number), job_running) for t in trials]

    def summary(self, run_dir: Path, trial: FrozenTrial, best: int | None, progress: dict[str, Any] | None,
                job_running: bool) -> dict[str, Any]:
        record = TrialRecord.from_frozen_trial(trial)
        if record.status == TrialStatus.RUNNING and not job_running:  # left running by a process that is gone
            record.status = TrialStatus.CANCELLED
        running = record.status == TrialStatus.RUNNING
        if running and progress is not None and record.started_at is None:
            record.started_at = progress.get("started")
        return build_summary(run_dir, record, is_best=trial.number == best, progress=progress if running else None)

    def summary_from_outcome(self, run_dir: Path, study_name: str, outcome: dict[str, Any],
                             best: int | None) -> dict[str, Any]:
        """A just-finished trial, from the outcome its worker sent (the study records it a moment later; a
        trial already recorded, such as another participant's, is shown as recorded)."""
        number = int(outcome["number"])
        trial = self.frozen_trial(run_dir, study_name, number)
        stored = TrialRecord.from_frozen_trial(trial) if trial else None
        if stored is not None and stored.status.finished:
            return build_summary(run_dir, stored, is_best=number == best, progress=None)
        try:  # the job process's message: parsed here, once
            sent = checked_outcome(outcome, number)
        except ConfigError as exc:
            log.warning("trial %d: unreadable outcome from the job process: %s", number, exc)
            record = stored or TrialRecord(number=number, status=TrialStatus.FAILED)
            record.status, record.error = TrialStatus.FAILED, f"unreadable outcome: {exc}"
            return build_summary(run_dir, record, is_best=number == best, progress=None)
        return build_summary(run_dir, TrialRecord.from_outcome(sent, base=stored), is_best=number == best,
                             progress=None, health=sent.health)

    def detail(self, run_dir: Path, trial: FrozenTrial, best: int | None, progress: dict[str, Any] | None,
               job_running: bool) -> dict[str, Any]:
        summary = self.summary(run_dir, trial, best, progress, job_running)
        directory = trial_dir(run_dir, trial.number)
        health = read_json(directory / "health.json") or None
        metrics = read_json(directory / "metrics.json") or {}
        outcome = read_json(directory / "outcome.json") or {}
        model_config = trial.user_attrs.get("model_config")
        return json_safe({
            **summary,
            "health": health,
            "history": metrics.get("history") or outcome.get("history") or [],
            "layer_stats": _layer_stats(directory),
            "graph": graph(directory, model_config, health),
            "model_config": model_config,
        })


def _layer_stats(directory: Path) -> list[dict[str, Any]]:
    """The per-epoch layer statistics the trial saved for its replay; none for a trial still running."""
    saved = read_json(directory / LAYER_STATS_FILE)
    epochs = saved.get("epochs") if isinstance(saved, dict) else None
    return epochs if isinstance(epochs, list) else []


def best_number(trials: list[FrozenTrial]) -> int | None:
    complete = [t for t in trials if t.state == TrialState.COMPLETE and t.value is not None]
    return max(complete, key=lambda t: t.value or 0.0).number if complete else None


def build_summary(run_dir: Path, record: TrialRecord, *, is_best: bool, progress: dict[str, Any] | None,
                  health: dict[str, Any] | None = None) -> dict[str, Any]:
    directory = trial_dir(run_dir, record.number)
    if health is None and record.health is not None:
        health = read_json(directory / "health.json")
    arch = architecture(record.model_config)
    if arch is not None and record.param_count:
        arch["param_count"] = int(record.param_count)
    complete = record.status == TrialStatus.COMPLETE
    return json_safe({
        "number": record.number,
        "state": record.status.api_name,
        "params": dict(record.params),
        "architecture": arch,
        "value": record.value if complete else None,
        "metrics": dict(record.metrics),
        "health_overall": record.health,
        "health_metrics": record.health_metrics,
        "health_summary": (health or {}).get("summary") or None,
        "started_at": record.started_at,
        "finished_at": record.finished_at,
        "duration_s": record.duration_s,
        "worker": record.worker or (progress or {}).get("worker"),
        "error": record.error,
        "is_best": is_best,
        "plots": list_files(run_dir, directory / "plots", (".png",)),
        "progress": progress,
    })


def graph(directory: Path, model_config: dict[str, Any] | None, health: dict[str, Any] | None) -> dict[str, Any] | None:
    """The architecture graph the trial saved, or one drawn from its config (trials that saved no model)."""
    saved = read_json(directory / "architecture.json")
    if isinstance(saved, dict) and "elements" in saved:
        return saved
    if not model_config:
        return None
    from nettune.architecture import describe  # imports torch

    try:
        return describe(model_config, health=health)
    except Exception as exc:
        log.debug("no graph for %s: %s", directory, exc)
        return None
