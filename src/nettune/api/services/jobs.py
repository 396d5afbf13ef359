"""JobManager: creates, schedules, cancels and resumes jobs, and keeps each job's record and live events current.

State lives in the JobStore (SQL). A running job's process is started and followed by the JobSupervisor
(job_supervisor.py); the manager keeps the job's latest progress and turns the process's events and outcome into
store updates and hub events. Jobs beyond max_running_jobs wait as QUEUED, first in first out; when
max_queued_jobs are waiting, new ones are refused (job_config.py has the limits, job_views.py the Job view).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError

from nettune.api.job_states import ACTIVE_STATES, FINAL_STATES, JOB_STATES, RESUMABLE_STATES
from nettune.api.services.errors import JobConflict, JobNotFound, ServiceError
from nettune.api.services.hub import EventHub
from nettune.api.services.job_config import JobConfigs
from nettune.api.services.job_messages import JobEvent, JobOutcome, JobRaised, JobReturned
from nettune.api.services.job_recovery import recover_unfinished
from nettune.api.services.job_supervisor import JobHandle, JobSupervisor, stop_all
from nettune.api.services.job_views import JobView, aged, empty_progress
from nettune.api.services.store import JobRecord, JobStore
from nettune.api.services.trials import TrialReader
from nettune.api.services.uploads import UploadService
from nettune.api.settings import ApiSettings
from nettune.jsonsafe import json_safe

log = logging.getLogger("nettune.api")


@dataclass
class LiveJob:
    handle: JobHandle
    progress: dict[str, Any]  # the latest snapshot the job's process sent
    progress_time: float


class JobManager:
    def __init__(self, settings: ApiSettings, store: JobStore, hub: EventHub, trials: TrialReader,
                 uploads: UploadService | None = None) -> None:
        self.settings, self.store, self.hub, self.trials = settings, store, hub, trials
        self.configs = JobConfigs(settings, uploads)
        self.supervisor = JobSupervisor(settings.workdir)
        self._lock = threading.RLock()
        self._live: dict[str, LiveJob] = {}
        self._stopping = False

    # -- lifecycle -----------------------------------------------------------------------------------------
    def recover(self) -> list[str]:
        """Jobs a dead server left running or queued become INTERRUPTED (resumable)."""
        return recover_unfinished(self.store, self.trials, self.settings.output_dir)

    def shutdown(self) -> None:
        """Stop every running job cleanly (INTERRUPTED, resumable), killing those that do not stop in time."""
        with self._lock:
            self._stopping = True
            live = list(self._live.values())
        stop_all((job.handle for job in live), self.settings.shutdown_grace_s)
        self.store.mark_unfinished(ACTIVE_STATES, "INTERRUPTED", time.time())

    # -- queries -------------------------------------------------------------------------------------------
    def record(self, job_id: str) -> JobRecord:
        record = self.store.get(job_id)
        if record is None:
            raise JobNotFound(f"no job with id {job_id!r}")
        return record

    def run_dir(self, record: JobRecord) -> Path:
        return self.settings.output_dir / record.run_name

    def model_file(self, record: JobRecord) -> Path:
        return self.run_dir(record) / "optimized_model" / "model.pt"

    def view(self, record: JobRecord) -> JobView:
        """The Job object of the API."""
        live = self._live.get(record.job_id)
        if live is not None and record.state == "RUNNING":
            progress = aged(live.progress, time.time() - live.progress_time)
        else:
            progress = record.progress or empty_progress(record.config)
        return JobView(**json_safe({
            "job_id": record.job_id,
            "run_name": record.run_name,
            "state": record.state,
            "created_at": record.created_at,
            "started_at": record.started_at,
            "finished_at": record.finished_at,
            "error": record.error,
            "cancel_requested": record.cancel_requested,
            "config": record.config,
            "progress": progress,
            "model_ready": record.state != "RUNNING" and self.model_file(record).is_file(),
            "result": record.result,
            "seq": self.hub.seq(record.job_id),
        }))

    def get(self, job_id: str) -> JobView:
        return self.view(self.record(job_id))

    def list(self) -> list[JobView]:
        return [self.view(r) for r in self.store.all()]

    def running_trials(self, job_id: str) -> dict[int, dict[str, Any]]:
        live = self._live.get(job_id)
        if live is None:
            return {}
        return {int(r["trial"]): r for r in live.progress.get("running_trials", [])}

    def is_running(self, job_id: str) -> bool:
        return job_id in self._live

    def active_jobs_using(self, dataset: str) -> list[str]:
        """Queued or running jobs that read `dataset` (an upload's name): deleting it would pull their data away."""
        return [r.job_id for r in self.store.all()
                if r.state in ACTIVE_STATES and r.config.get("dataset") == dataset]

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(JOB_STATES, 0)
        for record in self.store.all():
            out[record.state] = out.get(record.state, 0) + 1
        return out

    # -- commands ------------------------------------------------------------------------------------------
    def create(self, request: dict[str, Any]) -> JobView:
        job_id = uuid.uuid4().hex[:12]
        config, stored = self.configs.for_request(request, job_id)
        with self._lock:
            self._check_queue_room()
            other = self.store.by_run_name(config.run_name or "")
            if other is not None:
                raise _run_name_taken(config.run_name or "", other.job_id)
            record = JobRecord(job_id=job_id, run_name=str(config.run_name), state="QUEUED", config=stored,
                               created_at=time.time(), progress=empty_progress(stored))
            try:
                self.store.insert(record)
            except IntegrityError:  # the same run_name inserted by a concurrent request
                raise _run_name_taken(record.run_name, "another job") from None
            log.info("job %s (run %s) created: %s", job_id, record.run_name, stored)
            self._publish_status(record)
            self._schedule()
        return self.get(job_id)

    def cancel(self, job_id: str) -> JobView:
        with self._lock:
            record = self.record(job_id)
            if record.state in FINAL_STATES:
                raise JobConflict(f"job {job_id} is already {record.state}; nothing to cancel")
            if record.state == "QUEUED":
                self.store.update(job_id, state="CANCELLED", finished_at=time.time(), cancel_requested=True)
                log.info("job %s cancelled while queued", job_id)
                self._publish_final(self.record(job_id))
                return self.get(job_id)
            self._live[job_id].handle.cancel(self.settings.cancel_grace_s)
            self.store.update(job_id, cancel_requested=True)
            log.info("job %s: cancel requested; running trials stop within one batch", job_id)
            record = self.record(job_id)
            self._publish_status(record)
            return self.view(record)

    def resume(self, job_id: str) -> JobView:
        with self._lock:
            record = self.record(job_id)
            if record.state not in RESUMABLE_STATES:
                raise JobConflict(f"job {job_id} is {record.state}; only {', '.join(RESUMABLE_STATES)} jobs can "
                                  "be resumed")
            self._check_queue_room()
            self.store.update(job_id, state="QUEUED", cancel_requested=False, error=None, finished_at=None)
            log.info("job %s resumed", job_id)
            self._publish_status(self.record(job_id))
            self._schedule()
        return self.get(job_id)

    def _check_queue_room(self) -> None:
        self.configs.check_queue_room(len(self._live), sum(r.state == "QUEUED" for r in self.store.all()))

    # -- running -------------------------------------------------------------------------------------------
    def _schedule(self) -> None:
        with self._lock:
            if self._stopping:
                return
            free = self.settings.max_running_jobs - len(self._live)
            if free <= 0:
                return
            queued = sorted((r for r in self.store.all() if r.state == "QUEUED"), key=lambda r: r.created_at)
            for record in queued[:free]:
                try:
                    self._launch(record)
                except Exception as exc:  # e.g. no more processes, or a stored config this version rejects
                    log.exception("job %s could not be started", record.job_id)
                    self._live.pop(record.job_id, None)
                    message = exc.detail if isinstance(exc, ServiceError) else f"{type(exc).__name__}: {exc}"
                    self.store.update(record.job_id, state="FAILED", finished_at=time.time(),
                                      error=f"the job could not be started: {message}")
                    self._publish_final(self.record(record.job_id))

    def _launch(self, record: JobRecord) -> None:
        config = self.configs.config(record.config)
        handle = self.supervisor.start(record.job_id, config.to_dict())
        progress = {**(record.progress or empty_progress(record.config)), "running": 0, "running_trials": []}
        live = self._live[record.job_id] = LiveJob(handle=handle, progress=progress, progress_time=time.time())
        self.store.update(record.job_id, state="RUNNING", started_at=time.time(), finished_at=None, error=None)
        log.info("job %s (run %s) started in process %s", record.job_id, record.run_name, handle.pid)
        run_dir = self.run_dir(record)
        handle.follow(lambda event: self._on_event(record.job_id, live, run_dir, record.run_name, event),
                      lambda outcome: self._on_exit(record.job_id, live, outcome))
        self._publish_status(self.record(record.job_id))

    def _on_event(self, job_id: str, live: LiveJob, run_dir: Path, run_name: str, event: JobEvent) -> None:
        data, progress = event.data, event.progress
        if event.kind == "trial_complete":
            self.store.update(job_id, progress=json_safe(progress))  # before anyone can see the new count
            summary = self.trials.summary_from_outcome(run_dir, run_name, data["outcome"], progress.get("best_trial"))
            data = {"trial": summary, "outcome": data["outcome"].get("state")}
        live.progress, live.progress_time = progress, time.time()
        if event.kind != "notice":
            data = {**data, "progress": progress}
        self.hub.publish_threadsafe(job_id, event.kind, data, event.at)

    def _on_exit(self, job_id: str, live: LiveJob, outcome: JobOutcome) -> None:
        now = time.time()
        record = self.record(job_id)
        progress = {**aged(live.progress, now - live.progress_time), "running": 0, "running_trials": [], "eta_s": None}
        result, error = record.result, None
        if self._stopping:
            state = "INTERRUPTED"
        elif isinstance(outcome, JobReturned):
            result = outcome.result
            stopped = "CANCELLED" if record.cancel_requested else "INTERRUPTED"
            state = stopped if outcome.result["interrupted"] else "COMPLETED"
        elif isinstance(outcome, JobRaised):
            state, error = "FAILED", outcome.message
        elif record.cancel_requested:
            state = "CANCELLED"
        else:
            state = "FAILED"
            error = f"the job's process died unexpectedly (exit code {outcome.exitcode}); see logs/nettune.log"
        with self._lock:
            self._live.pop(job_id, None)
            self.store.update(job_id, state=state, finished_at=now, error=error, progress=json_safe(progress),
                              result=json_safe(result) if result else None)
            log.info("job %s ended %s%s", job_id, state, f": {error}" if error else "")
            self._publish_final(self.record(job_id))
            self._schedule()

    # -- events --------------------------------------------------------------------------------------------
    def _publish_status(self, record: JobRecord) -> None:
        self.hub.publish_threadsafe(record.job_id, "job_status", self.view(record).to_json())

    def _publish_final(self, record: JobRecord) -> None:
        view = self.view(record).to_json()
        self.hub.publish_threadsafe(record.job_id, "job_status", view)
        self.hub.publish_threadsafe(record.job_id, "job_complete", view)


def _run_name_taken(run_name: str, job_id: str) -> JobConflict:
    return JobConflict(f"run_name {run_name!r} is used by job {job_id}; resume that job with "
                       f"POST /jobs/{job_id}/resume or choose another run_name")
