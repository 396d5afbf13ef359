"""JobManager: creates, schedules, runs, cancels and resumes jobs, each in its own process.

State lives in the JobStore (SQL); the live part of a running job (its process, event queue, cancel flag and
latest progress) lives here. One reader thread per running job turns the process's messages into hub events and
store updates, and notices when the process ends. Jobs beyond max_running_jobs wait as QUEUED, first in first
out; when max_queued_jobs are waiting, new ones are refused (429).
"""

from __future__ import annotations

import contextlib
import difflib
import logging
import multiprocessing as mp
import os
import queue
import signal
import threading
import time
import uuid
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError

from nettune.api.errors import ApiError
from nettune.api.models import FINAL_STATES, RESUMABLE_STATES, SERVER_DECIDED
from nettune.api.services.hub import EventHub
from nettune.api.services.job_process import run_job
from nettune.api.services.store import JobRecord, JobStore
from nettune.api.services.trials import TrialReader
from nettune.api.services.uploads import UploadService
from nettune.api.settings import ApiSettings
from nettune.config import DATASETS, OptimizationConfig
from nettune.errors import ConfigError
from nettune.executors.layout import auto_ceiling
from nettune.executors.remote.access import check_allowed
from nettune.jsonsafe import json_safe
from nettune.progress.state import StudyProgress
from nettune.study.record import seed_progress

log = logging.getLogger("nettune.api")
POLL_S = 0.5


@dataclass
class LiveJob:
    process: Any
    events: Any
    cancel: Any
    progress: dict[str, Any]
    progress_time: float
    thread: threading.Thread | None = None
    outcome: tuple[str, Any] | None = None
    kill_at: float | None = None  # after a cancel: when to stop waiting and kill the process group


class JobManager:
    def __init__(self, settings: ApiSettings, store: JobStore, hub: EventHub, trials: TrialReader,
                 uploads: UploadService | None = None) -> None:
        self.settings, self.store, self.hub, self.trials = settings, store, hub, trials
        self.uploads = uploads
        self._ctx = mp.get_context("spawn")  # fork after torch has started threads can deadlock
        self._lock = threading.RLock()
        self._live: dict[str, LiveJob] = {}
        self._stopping = False

    # -- lifecycle -----------------------------------------------------------------------------------------
    def recover(self) -> list[str]:
        """Jobs a dead server left running or queued become INTERRUPTED (resumable)."""
        ids = self.store.mark_unfinished(("RUNNING", "QUEUED"), "INTERRUPTED", time.time())
        for job_id in ids:
            record = self.record(job_id)
            self.store.update(job_id, progress=json_safe(self._progress_from_study(record)))
            log.warning("job %s was left unfinished by an earlier server; marked INTERRUPTED (resume it with "
                        "POST /jobs/%s/resume)", job_id, job_id)
        return ids

    def _progress_from_study(self, record: JobRecord) -> dict[str, Any]:
        """Counts and bests as the job's study recorded them: what survived a server that died mid-job."""
        config = record.config
        progress = StudyProgress(total_trials=int(config.get("trials", 0)),
                                 concurrency=int(config.get("concurrent_workers") or 1),
                                 mode=str(config.get("mode", "health")))
        seed_progress(progress, self.trials.frozen_trials(self.run_dir(record), record.run_name), durations=True)
        elapsed = float((record.progress or {}).get("elapsed_s") or 0.0)
        return {**progress.snapshot(), "elapsed_s": elapsed, "eta_s": None}

    def shutdown(self) -> None:
        """Stop every running job cleanly (INTERRUPTED, resumable), killing those that do not stop in time."""
        with self._lock:
            self._stopping = True
            live = list(self._live.items())
        deadline = time.time() + self.settings.shutdown_grace_s
        for _, job in live:
            job.cancel.set()
        for _, job in live:
            if job.thread is not None:
                job.thread.join(max(0.0, deadline - time.time()))
        for _, job in live:
            if job.thread is not None and job.thread.is_alive():
                _kill_group(job.process)
                job.thread.join(5.0)
        self.store.mark_unfinished(("RUNNING", "QUEUED"), "INTERRUPTED", time.time())

    # -- queries -------------------------------------------------------------------------------------------
    def record(self, job_id: str) -> JobRecord:
        record = self.store.get(job_id)
        if record is None:
            raise ApiError(404, f"no job with id {job_id!r}")
        return record

    def run_dir(self, record: JobRecord) -> Path:
        return self.settings.output_dir / record.run_name

    def view(self, record: JobRecord) -> dict[str, Any]:
        """The Job object of the API."""
        live = self._live.get(record.job_id)
        if live is not None and record.state == "RUNNING":
            progress = _aged(live.progress, time.time() - live.progress_time)
        else:
            progress = record.progress or _empty_progress(record.config)
        return json_safe({
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
        })

    def model_file(self, record: JobRecord) -> Path:
        return self.run_dir(record) / "optimized_model" / "model.pt"

    def get(self, job_id: str) -> dict[str, Any]:
        return self.view(self.record(job_id))

    def list(self) -> list[dict[str, Any]]:
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
                if r.state in ("QUEUED", "RUNNING") and r.config.get("dataset") == dataset]

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(("QUEUED", "RUNNING", "COMPLETED", "FAILED", "CANCELLED", "INTERRUPTED"), 0)
        for record in self.store.all():
            out[record.state] = out.get(record.state, 0) + 1
        return out

    # -- commands ------------------------------------------------------------------------------------------
    def create(self, request: dict[str, Any]) -> dict[str, Any]:
        self._check_limits(request)
        job_id = uuid.uuid4().hex[:12]
        options = {k: v for k, v in request.items() if k not in SERVER_DECIDED}
        if not options.get("run_name"):
            options["run_name"] = (f"{options.get('dataset', 'mnist')}_{options.get('mode', 'health')}_"
                                   f"{time.strftime('%Y%m%d-%H%M%S')}_{job_id[:6]}")
        config = self._config(options)
        # Stored with the upload's name, not its path: the path is the server's business, resolved at each start.
        stored = {k: v for k, v in config.to_dict().items() if k not in SERVER_DECIDED} | \
            {"dataset": options.get("dataset", config.dataset)}
        with self._lock:
            self._check_queue_room()
            other = self.store.by_run_name(config.run_name or "")
            if other is not None:
                raise _run_name_taken(config.run_name or "", other.job_id)
            record = JobRecord(job_id=job_id, run_name=str(config.run_name), state="QUEUED", config=stored,
                               created_at=time.time(), progress=_empty_progress(stored))
            try:
                self.store.insert(record)
            except IntegrityError:  # the same run_name inserted by a concurrent request
                raise _run_name_taken(record.run_name, "another job") from None
            log.info("job %s (run %s) created: %s", job_id, record.run_name, stored)
            self._publish_status(record)
            self._schedule()
        return self.get(job_id)

    def cancel(self, job_id: str) -> dict[str, Any]:
        with self._lock:
            record = self.record(job_id)
            if record.state in FINAL_STATES:
                raise ApiError(409, f"job {job_id} is already {record.state}; nothing to cancel")
            if record.state == "QUEUED":
                self.store.update(job_id, state="CANCELLED", finished_at=time.time(), cancel_requested=True)
                log.info("job %s cancelled while queued", job_id)
                self._publish_final(self.record(job_id))
                return self.get(job_id)
            live = self._live[job_id]
            live.cancel.set()
            live.kill_at = time.time() + self.settings.cancel_grace_s
            self.store.update(job_id, cancel_requested=True)
            log.info("job %s: cancel requested; running trials stop within one batch", job_id)
            record = self.record(job_id)
            self._publish_status(record)
            return self.view(record)

    def resume(self, job_id: str) -> dict[str, Any]:
        with self._lock:
            record = self.record(job_id)
            if record.state not in RESUMABLE_STATES:
                raise ApiError(409, f"job {job_id} is {record.state}; only {', '.join(RESUMABLE_STATES)} jobs can "
                                    "be resumed")
            self._check_queue_room()
            self.store.update(job_id, state="QUEUED", cancel_requested=False, error=None, finished_at=None)
            log.info("job %s resumed", job_id)
            self._publish_status(self.record(job_id))
            self._schedule()
        return self.get(job_id)

    # -- validation ----------------------------------------------------------------------------------------
    def _check_limits(self, request: dict[str, Any]) -> None:
        s = self.settings
        defaults = {f.name: f.default for f in fields(OptimizationConfig)}
        for key, limit, flag in (("trials", s.max_trials, "--max-trials"),
                                 ("max_epochs_per_trial", s.max_epochs_per_trial, "--max-epochs"),
                                 ("concurrent_workers", s.max_concurrent_workers, "--max-workers")):
            value = request.get(key, defaults[key])
            if value is not None and value > limit:  # None (auto) is capped in _config
                given = "" if key in request else " (the default)"
                raise ApiError(422, f"{key}={value}{given} exceeds this server's limit of {limit} ({flag})")

    def _config(self, options: dict[str, Any]) -> OptimizationConfig:
        """Checked on every create and every start, so a server restarted with a shorter allow-list holds too."""
        if options.get("concurrent_workers") is None and auto_ceiling() > self.settings.max_concurrent_workers:
            options = {**options, "concurrent_workers": self.settings.max_concurrent_workers}
        dataset = options.get("dataset", "mnist")
        if dataset not in DATASETS:  # an upload's name (the request model allows no paths): read from its folder
            try:
                if self.uploads is None:
                    raise ApiError(404, "this server takes no uploads")
                options = {**options, "dataset": str(self.uploads.path(dataset))}
            except ApiError:
                known = [*DATASETS, *(self.uploads.names() if self.uploads else [])]
                close = difflib.get_close_matches(str(dataset), known, n=1, cutoff=0.6)
                raise ApiError(422, f"dataset={dataset!r} is neither a built-in dataset ({', '.join(DATASETS)}) "
                                    "nor an uploaded one" + (f" (did you mean {close[0]!r}?)" if close else "") +
                                    "; upload it with POST /datasets/uploads/{name}") from None
        try:
            config = OptimizationConfig(**options, output_dir=str(self.settings.output_dir),
                                        data_dir=str(self.settings.data_dir) if self.settings.data_dir else None)
            if config.use_runpod_service:
                check_allowed(config.runpod_endpoint, self.settings.allowed_endpoints)
            return config
        except ConfigError as exc:
            raise ApiError(422, str(exc)) from None

    def _check_queue_room(self) -> None:
        free = self.settings.max_running_jobs - len(self._live)
        waiting = sum(r.state == "QUEUED" for r in self.store.all())
        if free <= waiting and waiting >= self.settings.max_queued_jobs:
            raise ApiError(429, f"the job queue is full ({waiting} jobs waiting); try again when a job has finished")

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
                    message = exc.detail if isinstance(exc, ApiError) else f"{type(exc).__name__}: {exc}"
                    self.store.update(record.job_id, state="FAILED", finished_at=time.time(),
                                      error=f"the job could not be started: {message}")
                    self._publish_final(self.record(record.job_id))

    def _launch(self, record: JobRecord) -> None:
        config = self._config(record.config)
        events, cancel = self._ctx.Queue(), self._ctx.Event()
        process = self._ctx.Process(
            target=run_job, name=f"nettune-job-{record.job_id}",
            args=(config.to_dict(), events, cancel, str(self.settings.workdir), os.getpid()),
        )
        progress = {**(record.progress or _empty_progress(record.config)), "running": 0, "running_trials": []}
        live = LiveJob(process=process, events=events, cancel=cancel, progress=progress, progress_time=time.time())
        process.start()
        self._live[record.job_id] = live
        self.store.update(record.job_id, state="RUNNING", started_at=time.time(), finished_at=None, error=None)
        log.info("job %s (run %s) started in process %s", record.job_id, record.run_name, process.pid)
        live.thread = threading.Thread(target=self._follow, args=(record.job_id, live), daemon=True,
                                       name=f"job-{record.job_id}")
        live.thread.start()
        self._publish_status(self.record(record.job_id))

    def _follow(self, job_id: str, live: LiveJob) -> None:
        """Turn the job process's messages into events until the process has ended and its queue is drained."""
        run_name = self.record(job_id).run_name
        run_dir = self.settings.output_dir / run_name
        while True:
            try:
                message = live.events.get(timeout=POLL_S)
            except queue.Empty:
                if not live.process.is_alive():
                    break
                if live.kill_at is not None and time.time() > live.kill_at:
                    log.warning("job %s did not stop within %.0fs of its cancel; killing it", job_id,
                                self.settings.cancel_grace_s)
                    _kill_group(live.process)
                continue
            except (EOFError, OSError):  # the queue's pipe broke with the process
                break
            try:
                self._handle(job_id, live, run_dir, run_name, message)
            except Exception:  # one bad message must not stop the job from being followed
                log.exception("job %s: cannot handle a message from the job process", job_id)
        live.process.join(5.0)
        if live.process.is_alive():  # its queue broke but it runs on: it could no longer report anything
            _kill_group(live.process)
            live.process.join(5.0)
        self._finish(job_id, live)
        live.events.close()  # the job's queue, pipes and process handle are not reused
        with contextlib.suppress(ValueError):  # still running after SIGKILL and 5 s: leave the handle be
            live.process.close()

    def _handle(self, job_id: str, live: LiveJob, run_dir: Path, run_name: str, message: tuple[Any, ...]) -> None:
        if message[0] != "event":
            live.outcome = (message[0], message[1])
            return
        _, kind, data, progress, at = message
        if kind == "trial_complete":
            self.store.update(job_id, progress=json_safe(progress))  # before anyone can see the new count
            summary = self.trials.summary_from_outcome(run_dir, run_name, data["outcome"], progress.get("best_trial"))
            data = {"trial": summary, "outcome": data["outcome"].get("state")}
        live.progress, live.progress_time = progress, time.time()
        if kind != "notice":
            data = {**data, "progress": progress}
        self.hub.publish_threadsafe(job_id, kind, data, at)

    def _finish(self, job_id: str, live: LiveJob) -> None:
        now = time.time()
        record = self.record(job_id)
        progress = {**_aged(live.progress, now - live.progress_time), "running": 0, "running_trials": [], "eta_s": None}
        kind, payload = live.outcome or ("died", None)
        result, error = record.result, None
        if self._stopping:
            state = "INTERRUPTED"
        elif kind == "result":
            result = payload
            stopped = "CANCELLED" if record.cancel_requested else "INTERRUPTED"
            state = stopped if payload["interrupted"] else "COMPLETED"
        elif kind == "error":
            state, error = "FAILED", payload
        elif record.cancel_requested:
            state = "CANCELLED"
        else:
            code = live.process.exitcode
            state, error = "FAILED", f"the job's process died unexpectedly (exit code {code}); see logs/nettune.log"
        with self._lock:
            self._live.pop(job_id, None)
            self.store.update(job_id, state=state, finished_at=now, error=error, progress=json_safe(progress),
                              result=json_safe(result) if result else None)
            log.info("job %s ended %s%s", job_id, state, f": {error}" if error else "")
            self._publish_final(self.record(job_id))
            self._schedule()

    # -- events --------------------------------------------------------------------------------------------
    def _publish_status(self, record: JobRecord) -> None:
        self.hub.publish_threadsafe(record.job_id, "job_status", self.view(record))

    def _publish_final(self, record: JobRecord) -> None:
        view = self.view(record)
        self.hub.publish_threadsafe(record.job_id, "job_status", view)
        self.hub.publish_threadsafe(record.job_id, "job_complete", view)


def _empty_progress(config: dict[str, Any]) -> dict[str, Any]:
    progress = StudyProgress(total_trials=int(config.get("trials", 0)), mode=str(config.get("mode", "health")))
    return {**progress.snapshot(), "elapsed_s": 0.0}


def _aged(progress: dict[str, Any], seconds: float) -> dict[str, Any]:
    """A running job's progress as of now: elapsed grows and the ETA shrinks since the snapshot was taken."""
    eta = progress.get("eta_s")
    return {**progress, "elapsed_s": float(progress.get("elapsed_s") or 0.0) + seconds,
            "eta_s": None if eta is None else max(0.0, eta - seconds)}


def _run_name_taken(run_name: str, job_id: str) -> ApiError:
    return ApiError(409, f"run_name {run_name!r} is used by job {job_id}; resume that job with "
                         f"POST /jobs/{job_id}/resume or choose another run_name")


def _kill_group(process: Any) -> None:
    """Kill the job process and every trial worker it started (they share its process group)."""
    if process.pid is None:
        return
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):  # already gone, or not yet its own group leader
        process.kill()
