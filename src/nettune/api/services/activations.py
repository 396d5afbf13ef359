"""ActivationService: one test example through a trial's saved model, for the dashboard's forward-pass view.

The model comes from the trial directory (model.pt + model_config.json), the example from the test split of the
data the trial trained on (job.json records the dataset, fraction, seed and data directory, so the split is the
same one). Answers are cached per (trial directory, example): the view replays examples back and forth.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from optuna.trial import TrialState

from nettune.api.services.errors import Conflict, NotFound
from nettune.api.services.results import ResultService
from nettune.api.services.trials import best_number, read_json, trial_dir
from nettune.data.types import PreparedData
from nettune.jsonsafe import json_safe

CACHE_SIZE = 64  # answers kept (a CNN's answer is tens of kilobytes)


@functools.lru_cache(maxsize=2)
def _dataset(name: str, fraction: float, seed: int, data_dir: str | None) -> PreparedData:
    from nettune.data import load_dataset  # imports torch: only when a forward pass is asked for

    # Never download here: the trial trained on these files, so they are on disk (or the request fails clearly).
    return load_dataset(name, data_fraction=fraction, seed=seed, data_dir=Path(data_dir) if data_dir else None,
                        allow_download=False)


@functools.lru_cache(maxsize=4)
def _model(directory: str, stamp: float) -> Any:
    from nettune.models import load_model

    return load_model(directory)  # `stamp` (the weights' mtime) keys the cache: a rewritten model reloads


class ActivationService:
    def __init__(self, results: ResultService) -> None:
        self.results = results
        self._cache: OrderedDict[tuple[str, float, int], dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()  # one forward pass at a time: the server's CPU is shared with jobs

    @property
    def cached(self) -> int:
        """How many answers the cache holds now."""
        return len(self._cache)

    def trial(self, job_id: str, number: int, example: int) -> dict[str, Any]:
        run_dir, trials = self._trials(job_id)
        trial = next((t for t in trials if t.number == number), None)
        if trial is None:
            raise NotFound(f"job {job_id} has no trial {number}")
        if trial.state != TrialState.COMPLETE:
            raise Conflict(f"trial {number} of job {job_id} has not completed: it has no trained model")
        return self._answer(job_id, number, trial_dir(run_dir, number), example)

    def best(self, job_id: str, example: int) -> dict[str, Any]:
        run_dir, trials = self._trials(job_id)
        number = best_number(trials)
        if number is None:
            raise Conflict(f"job {job_id} has no completed trial yet")
        return self._answer(job_id, number, trial_dir(run_dir, number), example)

    def _trials(self, job_id: str) -> tuple[Path, list[Any]]:
        manager = self.results.manager
        record = manager.record(job_id)
        run_dir = manager.run_dir(record)
        return run_dir, self.results.reader.frozen_trials(run_dir, record.run_name)

    def _answer(self, job_id: str, number: int, directory: Path, example: int) -> dict[str, Any]:
        weights = directory / "model.pt"
        if not weights.is_file():
            raise Conflict(f"trial {number} of job {job_id} saved no model file")
        stamp = weights.stat().st_mtime  # part of the key: a rewritten model is a different model
        key = (str(directory), stamp, example)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
            answer = self._compute(job_id, number, directory, example, stamp)
            self._cache[key] = answer
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
            return answer

    def _compute(self, job_id: str, number: int, directory: Path, example: int, stamp: float) -> dict[str, Any]:
        from nettune.architecture.activations import forward_pass  # imports torch

        data = self._data(number, directory)
        test = data.test
        if not 0 <= example < len(test):
            raise NotFound(f"example {example} is out of range: the test split of trial {number} has "
                           f"{len(test)} examples (0 to {len(test) - 1})")
        summary = forward_pass(_model(str(directory), stamp), test.x[example], label=int(test.y[example]),
                               class_names=data.info.class_names,
                               normalization=data.notes.get("normalization"), vocabulary=data.vocabulary)
        return json_safe({"job_id": job_id, "trial": number, "example": example, "examples": len(test),
                          "dataset": data.info.name, "family": data.info.family, **summary})

    @staticmethod
    def _data(number: int, directory: Path) -> PreparedData:
        job = read_json(directory / "job.json")
        if not isinstance(job, dict) or "dataset" not in job:
            raise Conflict(f"trial {number} recorded no job.json: its test data is not known")
        try:
            return _dataset(str(job["dataset"]), float(job.get("data_fraction", 1.0)), int(job.get("data_seed", 0)),
                            job.get("data_dir"))
        except Exception as exc:  # the files went away since the trial ran
            reason = " ".join(str(exc).split())  # one line, whatever the loader said
            raise Conflict(f"the test data of trial {number} cannot be loaded: {reason}") from exc
