"""RemoteTrial: one trial on an endpoint, driven from its own thread.

submit (/run) → poll /status (adaptive interval) → progress forwarded as TrialStarted/EpochProgress → result
→ bundle fetched and verified → TrialFinished. A remote job that FAILED, TIMED_OUT, vanished or outlived the
per-trial timeout is an infrastructure failure: the trial is resubmitted once, then recorded failed. A trial
that fails on its own (its outcome says "failed") is a result, not retried. Whatever happens, exactly one
TrialFinished leaves this class per trial.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nettune.errors import ConfigError, NettuneError
from nettune.executors.remote.client import EndpointClient, EndpointUnavailable, Interrupted, RemoteError
from nettune.executors.remote.fetch import fetch_bundle, move_tensorboard
from nettune.executors.remote.polling import AdaptivePoller
from nettune.progress.events import EpochProgress, Event, Notice, TrialFinished, TrialStarted
from nettune.progress.layer_stats import checked_entry
from nettune.trials.job import TrialJob, TrialOutcome, checked_outcome
from nettune.trials.state import TrialStatus
from nettune.worker.schema import ArtifactTarget, encode_input, input_size, remote_job

log = logging.getLogger("nettune.remote")
DEFAULT_EXECUTION_TIMEOUT_S = 6 * 3600.0  # a trial without a time budget; RunPod's own default is 10 minutes
FINISH_ALLOWANCE_S = 600.0  # evaluation, health, bundle and upload after the training budget runs out
CLIENT_GRACE_S = 60.0  # the client gives up this long after the endpoint should have timed the job out


@dataclass
class RemoteSettings:
    artifacts: ArtifactTarget = field(default_factory=ArtifactTarget)
    s3_endpoint_url: str | None = None
    execution_timeout_s: float | None = None  # None: from the job's time budget
    poll_min_s: float = 0.01
    poll_max_s: float = 2.0
    inline_dataset: str | None = None  # the study's custom dataset, packed, for workers without an artifact store

    def timeout_for(self, job: TrialJob) -> float:
        if self.execution_timeout_s is not None:
            return self.execution_timeout_s
        if job.time_budget_s is not None:
            return job.time_budget_s + FINISH_ALLOWANCE_S
        return DEFAULT_EXECUTION_TIMEOUT_S


class _InfraFailure(Exception):
    """The remote job ended without a trial result; worth one more attempt."""


class RemoteTrial:
    def __init__(self, job: TrialJob, client: EndpointClient, emit: Callable[[Event], None],
                 cancel: threading.Event, settings: RemoteSettings,
                 hand_off: Callable[[TrialJob, str], bool], timing: dict[str, float]) -> None:
        self.job, self.client, self.emit, self.cancel = job, client, emit, cancel
        self.settings, self.hand_off, self.timing = settings, hand_off, timing
        self.job_input: dict[str, Any] = {}
        self.timeout_s = settings.timeout_for(job)
        self.job_id: str | None = None
        self._started = False
        self._last_progress: tuple[Any, ...] | None = None

    def run(self) -> None:
        try:
            self.job_input = encode_input(remote_job(self.job), self.settings.artifacts, self.settings.inline_dataset)
            self.timing["input_bytes"] = input_size(self.job_input)
        except NettuneError as exc:  # e.g. over the input size limit: this trial cannot be sent
            self._finish(self._outcome(TrialStatus.FAILED, f"cannot send the trial to a worker: {exc}"))
            return
        try:
            self._run()
        except Exception as exc:  # a bug or an unexpected answer must not lose the trial
            log.exception("remote trial %d failed unexpectedly", self.job.number)
            self._finish(self._outcome(TrialStatus.FAILED, f"remote execution failed: {type(exc).__name__}: {exc}"))

    def _run(self) -> None:
        for attempt in (1, 2):
            try:
                status = self._attempt()
            except Interrupted:
                self._finish(self._outcome(TrialStatus.CANCELLED, "cancelled by the user"))
                return
            except EndpointUnavailable as exc:
                if self.cancel.is_set():
                    self._finish(self._outcome(TrialStatus.CANCELLED, "cancelled by the user"))
                elif not self.hand_off(self.job, str(exc)):
                    self._finish(self._outcome(TrialStatus.FAILED, f"endpoint unavailable: {exc}"))
                return
            except RemoteError as exc:
                self._finish(self._outcome(TrialStatus.FAILED, str(exc)))
                return
            except _InfraFailure as exc:
                if attempt == 1 and not self.cancel.is_set():
                    self.emit(Notice(f"trial {self.job.number}: {exc}; retrying it once"))
                    continue
                self._finish(self._outcome(TrialStatus.FAILED, f"{exc} (after one retry)"))
                return
            if status is not None:
                self._complete(status)
            return

    # -- one submission ----------------------------------------------------------------------------------------
    def _attempt(self) -> dict[str, Any] | None:
        """Submit and follow one remote job: its COMPLETED status, or None once a cancel was handled."""
        self.job_id = self.client.run(self.job_input, self.timeout_s, interrupt=self.cancel)
        self.timing.setdefault("accepted", time.time())
        poller = AdaptivePoller(self.settings.poll_min_s, self.settings.poll_max_s)
        running_since: float | None = None
        while True:
            if self.cancel.is_set():
                return self._cancel_remote()
            try:
                status = self.client.status(self.job_id, interrupt=self.cancel)
            except Interrupted:
                continue
            except RemoteError as exc:
                if exc.status == 404:  # the endpoint forgot the job (restarted): it will never finish
                    raise _InfraFailure(f"remote job {self.job_id} disappeared from the endpoint") from exc
                raise
            state = status.get("status")
            if state == "COMPLETED":
                self.timing["result_seen"] = time.time()
                return status
            if state == "FAILED" and str(status.get("error", "")).startswith("invalid job input"):
                raise RemoteError(f"the worker rejected the job: {status['error']}")  # the same job fails again
            if state in ("FAILED", "TIMED_OUT", "CANCELLED"):
                raise _InfraFailure(f"remote job {state}: {status.get('error') or 'no error message'}")
            if state not in ("IN_QUEUE", "IN_PROGRESS"):
                raise RemoteError(f"unexpected job status {state!r} from {self.client.base_url}")
            fraction, progress = None, status.get("output")
            if state == "IN_PROGRESS":
                running_since = running_since or time.monotonic()
                fraction = self._forward_progress(status)
                if time.monotonic() - running_since > self.timeout_s + CLIENT_GRACE_S:
                    self._cancel_quietly()
                    raise _InfraFailure(f"no result within the per-trial timeout of {self.timeout_s:.0f} s")
            times = (progress.get("time"), progress.get("started")) if isinstance(progress, dict) else (None, None)
            self.cancel.wait(poller.next_interval(state, fraction, *times))

    def _forward_progress(self, status: dict[str, Any]) -> float | None:
        self._announce(status.get("workerId"))
        progress = status.get("output")
        if not isinstance(progress, dict) or progress.get("kind") != "epoch_progress":
            return None
        key = (progress.get("epoch"), progress.get("fraction"), progress.get("val_accuracy"))
        if key != self._last_progress:
            self._last_progress = key
            self.emit(EpochProgress(trial=self.job.number, epoch=int(progress["epoch"]),
                                    total_epochs=int(progress["total_epochs"]), fraction=float(progress["fraction"]),
                                    loss=progress.get("loss") or 0.0, accuracy=progress.get("accuracy") or 0.0,
                                    val_accuracy=progress.get("val_accuracy"), val_loss=progress.get("val_loss"),
                                    layers=self._layers(progress.get("layers"))))
        total = max(1, int(progress["total_epochs"]))
        return (int(progress["epoch"]) - 1 + float(progress["fraction"])) / total

    def _layers(self, raw: Any) -> dict[str, Any] | None:
        """The worker's layer stats if they have the shape and size a worker writes; else dropped (progress only)."""
        if raw is None:
            return None
        try:
            return checked_entry(raw)
        except ValueError as exc:
            log.warning("trial %d: ignoring the worker's layer stats: %s", self.job.number, exc)
            return None

    def _announce(self, worker: Any) -> None:
        if not self._started:
            self._started = True
            self.emit(TrialStarted(trial=self.job.number, total_epochs=self.job.model_config.epochs,
                                   params=self.job.model_config.to_dict(), worker=f"remote:{worker or '?'}"))

    def _cancel_remote(self) -> dict[str, Any] | None:
        """The user cancelled: cancel the remote job; a job that finished meanwhile still counts."""
        answer = self._cancel_quietly()
        if answer.get("status") == "COMPLETED" and self.job_id is not None:
            return self.client.status(self.job_id)
        self._finish(self._outcome(TrialStatus.CANCELLED, "cancelled by the user"))
        return None

    def _cancel_quietly(self) -> dict[str, Any]:
        if self.job_id is None:
            return {}
        try:
            return self.client.cancel(self.job_id)
        except NettuneError as exc:
            log.warning("could not cancel remote job %s of trial %d: %s", self.job_id, self.job.number, exc)
            return {}

    # -- results -----------------------------------------------------------------------------------------------
    def _complete(self, status: dict[str, Any]) -> None:
        output = status.get("output")
        if not isinstance(output, dict) or not isinstance(output.get("outcome"), dict):
            raise RemoteError(f"remote job {self.job_id} completed without a trial outcome")
        self._announce(status.get("workerId"))
        try:  # the endpoint's word is input like any other: a malformed outcome fails this trial, nothing more
            outcome = checked_outcome(output["outcome"], self.job.number)
        except ConfigError as exc:
            raise RemoteError(f"remote job {self.job_id} returned an invalid outcome: {exc}") from None
        trial_dir = Path(self.job.trial_dir)
        if outcome.state != TrialStatus.CANCELLED:
            try:
                fetch_bundle(output.get("bundle"), trial_dir, self.settings.s3_endpoint_url)
                move_tensorboard(trial_dir, self.job.tensorboard_dir)
            except NettuneError as exc:
                self.emit(Notice(f"trial {self.job.number}: its files did not come back from the worker: {exc}"))
        trial_dir.mkdir(parents=True, exist_ok=True)
        bundle = {k: v for k, v in (output.get("bundle") or {}).items() if k != "data"}
        (trial_dir / "remote.json").write_text(json.dumps(
            {"endpoint": self.client.base_url, "job_id": self.job_id, "worker": status.get("workerId"),
             "delay_ms": status.get("delayTime"), "execution_ms": status.get("executionTime"),
             "architecture": output.get("architecture"), "bundle": bundle, "timing": output.get("timing")},
            indent=2))
        timing = output.get("timing") or {}
        self.timing.update({f"worker_{k}": v for k, v in timing.items()})
        self._finish({**outcome.to_dict(), "trial_dir": self.job.trial_dir})

    def _outcome(self, state: TrialStatus, error: str) -> dict[str, Any]:
        now = time.time()
        return TrialOutcome(number=self.job.number, state=state, error=error,
                            trial_dir=self.job.trial_dir, worker="remote", started_at=now, finished_at=now).to_dict()

    def _finish(self, outcome: dict[str, Any]) -> None:
        self._announce(None)  # progress consumers expect every finished trial to have started
        self.timing["reported"] = time.time()
        self.emit(TrialFinished(trial=self.job.number, outcome=outcome))
