"""handle(): run exactly one trial from a job input, the same way a local trial runs.

The handler is the only code a worker runs: under RunPod (nettune.worker.__main__) and in the self-hosted
endpoint's worker processes alike. It validates the input, calls nettune.trials.run.run_trial with the
TrialJob it received (the function and the object local trials use), forwards progress through `report`, and
returns the outcome, an architecture summary and where the trial's bundle went.

A result dict with an "error" key fails the job (RunPod's convention); a trial that fails on its own is a
completed job whose outcome says "failed".
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from nettune.architecture.summary import architecture_summary
from nettune.artifacts.datasets import fetch_dataset
from nettune.data import default_data_dir
from nettune.errors import NettuneError
from nettune.jsonsafe import json_safe  # JSON has no NaN: a diverged trial's non-finite numbers become null
from nettune.progress.events import EpochProgress, Event, TrialStarted, event_to_dict
from nettune.training.cancel import CancelToken
from nettune.trials.job import TrialJob
from nettune.trials.run import run_trial
from nettune.trials.state import TrialStatus
from nettune.worker.schema import JobInputError, decode_input
from nettune.worker.ship import ship_bundle

log = logging.getLogger("nettune.worker")

Report = Callable[[dict[str, Any]], None]
PROGRESS_INTERVAL_S = 0.5  # between forwarded in-epoch updates; epoch ends and the start always go through


def worker_name() -> str:
    pod = os.environ.get("RUNPOD_POD_ID")
    return f"runpod-{pod}" if pod else f"worker@{socket.gethostname()}"


def handle(job_input: Any, report: Report, cancel: CancelToken | None = None, *, worker: str | None = None,
           scratch: Path | None = None) -> dict[str, Any]:
    received_at = time.time()
    try:
        spec = decode_input(job_input)
    except JobInputError as exc:
        return {"error": f"invalid job input: {exc}"}
    try:
        fetch_dataset(spec.job.dataset, default_data_dir(), spec.artifacts.store, spec.artifacts.endpoint_url,
                      spec.dataset_zip)
    except NettuneError as exc:
        return {"error": f"cannot get dataset {spec.job.dataset}: {exc}"}
    root = Path(tempfile.mkdtemp(prefix=f"trial-{spec.job.number:04d}-", dir=scratch or scratch_dir()))
    try:
        job = _localize(spec.job, root)
        forwarder = ProgressForwarder(report)
        outcome = run_trial(job, forwarder.emit, cancel, worker=worker or worker_name())
        bundle = None if outcome.state == TrialStatus.CANCELLED else ship_bundle(Path(job.trial_dir), spec.artifacts,
                                                                        job.number)
        result = {"outcome": outcome.to_dict(), "architecture": _architecture(job), "bundle": bundle,
                  "timing": {"received_at": received_at, "finished_at": time.time()}}
        return json_safe(result)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def scratch_dir() -> Path:
    path = Path(os.environ.get("NETTUNE_WORKER_SCRATCH") or tempfile.gettempdir()) / "nettune-worker"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _localize(job: TrialJob, root: Path) -> TrialJob:
    """Place the job's relative output paths in this worker's scratch directory."""
    trial_dir = root / job.trial_dir
    trial_dir.mkdir(parents=True, exist_ok=True)
    # TensorBoard files go inside the trial directory so they travel back in the bundle.
    board = str(trial_dir / job.tensorboard_dir) if job.tensorboard_dir else None
    return replace(job, trial_dir=str(trial_dir), tensorboard_dir=board)


def _architecture(job: TrialJob) -> dict[str, Any] | None:
    try:
        return architecture_summary(job.model_config)
    except Exception as exc:  # a summary is a convenience; it never fails a finished trial
        log.warning("architecture summary of trial %d failed: %s", job.number, exc)
        return None


class ProgressForwarder:
    """Events → `report` dicts, at most one in-epoch update per PROGRESS_INTERVAL_S.

    A remote client only ever sees the latest progress, so dropping intermediate updates loses nothing,
    and it keeps RunPod's per-update HTTP request from running at batch frequency.
    """

    def __init__(self, report: Report, interval_s: float = PROGRESS_INTERVAL_S) -> None:
        self.report, self.interval_s = report, interval_s
        self._last = 0.0
        self._started: float | None = None
        self._layers: dict[str, Any] | None = None  # the latest epoch's layer stats, repeated on later updates

    def emit(self, event: Event) -> None:
        now = time.monotonic()
        if isinstance(event, EpochProgress) and event.fraction < 1.0 and now - self._last < self.interval_s:
            return
        if isinstance(event, TrialStarted | EpochProgress):
            if isinstance(event, TrialStarted):
                self._started = event.time
            self._last = now
            payload = event_to_dict(event)
            payload.pop("params", None)  # the client sent them; no need to echo them on every poll
            if isinstance(event, EpochProgress):
                # A client polling now and then may miss the epoch-end update; repeating the latest layer stats
                # (≤ MAX_EPOCH_BYTES) on every later update means it still gets every epoch it polls through.
                self._layers = event.layers or self._layers
                payload["layers"] = self._layers
            payload["started"] = self._started  # with "time", lets a client estimate the time left
            self.report(json_safe(payload))
