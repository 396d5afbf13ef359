"""ResultService: what a job produced — trials, the best model, plots and the optimized-model zip."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nettune.api.job_states import ACTIVE_STATES
from nettune.api.models import PlotList
from nettune.api.services.errors import Conflict, NotFound
from nettune.api.services.files import list_files, safe_file, zip_directory
from nettune.api.services.jobs import JobManager
from nettune.api.services.store import JobRecord
from nettune.api.services.trials import TrialReader, best_number, read_json, trial_dir
from nettune.jsonsafe import json_safe

STUDY_PLOT_SUFFIXES = (".png", ".html")


class ResultService:
    def __init__(self, manager: JobManager, reader: TrialReader) -> None:
        self.manager, self.reader = manager, reader

    def trials(self, job_id: str) -> list[dict[str, Any]]:
        record = self.manager.record(job_id)
        return self.reader.summaries(self.manager.run_dir(record), record.run_name,
                                     self.manager.running_trials(job_id), self.manager.is_running(job_id))

    def trial(self, job_id: str, number: int) -> dict[str, Any]:
        record = self.manager.record(job_id)
        return self._detail(record, number, f"job {job_id} has no trial {number}")

    def best_model(self, job_id: str) -> dict[str, Any]:
        record = self.manager.record(job_id)
        trials = self.reader.frozen_trials(self.manager.run_dir(record), record.run_name)
        best = best_number(trials)
        if best is None:
            raise Conflict(f"job {job_id} has no completed trial yet")
        return {"job_id": job_id, "run_name": record.run_name, "mode": record.config.get("mode", "health"),
                "model_ready": self.manager.view(record).model_ready, "trial": self._detail(record, best, "")}

    def _detail(self, record: JobRecord, number: int, missing: str) -> dict[str, Any]:
        run_dir = self.manager.run_dir(record)
        trials = self.reader.frozen_trials(run_dir, record.run_name)
        trial = next((t for t in trials if t.number == number), None)
        if trial is None:
            raise NotFound(missing)
        return self.reader.detail(run_dir, trial, best_number(trials),
                                  self.manager.running_trials(record.job_id).get(number),
                                  self.manager.is_running(record.job_id))

    def snapshot(self, job_id: str) -> dict[str, Any]:
        return {"job": self.manager.get(job_id).to_json(), "trials": self.trials(job_id)}

    # -- plots ---------------------------------------------------------------------------------------------
    def plots(self, job_id: str) -> PlotList:
        record = self.manager.record(job_id)
        run_dir = self.manager.run_dir(record)
        index = read_json(run_dir / "plots" / "index.json") or {}
        trials = {}
        for trial in self.reader.frozen_trials(run_dir, record.run_name):
            names = list_files(run_dir, trial_dir(run_dir, trial.number) / "plots", (".png",))
            if names:
                trials[str(trial.number)] = names
        study = list_files(run_dir, run_dir / "plots", STUDY_PLOT_SUFFIXES)
        return PlotList(**json_safe({"job_id": job_id, "study": study, "study_skipped": index.get("skipped") or {},
                                     "trials": trials}))

    def study_plot(self, job_id: str, name: str) -> Path:
        record = self.manager.record(job_id)
        run_dir = self.manager.run_dir(record)
        return safe_file(run_dir, run_dir / "plots", name, f"study plot of job {job_id}")

    def trial_plot(self, job_id: str, number: int, name: str) -> Path:
        record = self.manager.record(job_id)
        run_dir = self.manager.run_dir(record)
        return safe_file(run_dir, trial_dir(run_dir, number) / "plots", name, f"plot of trial {number}")

    # -- the optimized model -------------------------------------------------------------------------------
    def model_zip(self, job_id: str) -> tuple[Path, str]:
        """A temporary zip of the optimized model and the file name to give it; the caller deletes the file."""
        record = self.manager.record(job_id)
        run_dir = self.manager.run_dir(record)
        if record.state in ACTIVE_STATES:
            raise Conflict(f"job {job_id} has no optimized model yet: it is {record.state}; "
                           "the model is assembled when the job ends")
        model_dir = run_dir / "optimized_model"
        if not (model_dir / "model.pt").is_file():
            why = "the best trial saved no model file" if (record.result or {}).get("best_trial") is not None \
                else "no trial completed"
            raise Conflict(f"job {job_id} ended {record.state} without an optimized model: {why}")
        folder = f"{record.run_name}_optimized_model"
        return zip_directory(run_dir, model_dir, folder, [run_dir / "results.json"]), f"{folder}.zip"
