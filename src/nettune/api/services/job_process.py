"""The process one job runs in: optimize() with a listener that forwards every event to the server.

A job runs in its own (spawned) process so training cannot stall the server's event loop and a crashing trainer
cannot take the API down. Its messages to the server (job_messages.py) go on a multiprocessing queue: a JobEvent
for every study event, then one JobReturned or JobRaised.

The process leads its own process group, and kills that group (itself and any trial workers it started) when
the server process disappears, so a server killed with SIGKILL leaves no orphan training behind.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from dataclasses import asdict
from typing import Any

from nettune.api.services.job_messages import JobEvent, JobRaised, JobReturned
from nettune.parent_watch import exit_with_parent

PARENT_POLL_S = 0.5


def run_job(config: dict[str, Any], events: Any, cancel_event: Any, workdir: str, parent_pid: int) -> None:
    os.setpgrp()
    os.chdir(workdir)  # logs/nettune.log goes where `nettune optimize` started in the same directory puts it
    exit_with_parent(parent_pid, poll_s=PARENT_POLL_S, whole_group=True)  # the job and its trial workers
    try:
        events.put(JobReturned(_optimize(config, events, cancel_event)))
    except BaseException as exc:
        events.put(JobRaised(_error_line(exc)))
    finally:
        events.close()
        events.join_thread()  # everything sent reaches the server before the process exits


def _optimize(config: dict[str, Any], events: Any, cancel_event: Any) -> dict[str, Any]:
    import json

    from nettune.api.services.trials import architecture
    from nettune.config import OptimizationConfig
    from nettune.progress.events import EpochProgress, Event, Notice, TrialFinished, TrialStarted
    from nettune.progress.state import StudyProgress
    from nettune.study.runner import optimize
    from nettune.training.cancel import CancelToken

    def listener(event: Event, progress: StudyProgress) -> None:
        data: dict[str, Any]
        if isinstance(event, TrialStarted):
            data = {"trial": event.trial, "worker": event.worker, "total_epochs": event.total_epochs,
                    "model_config": event.params, "architecture": architecture(event.params)}
        elif isinstance(event, EpochProgress):
            # "layers" rides in the snapshot's running trial already; sent once per event, not twice.
            data = {k: v for k, v in asdict(event).items() if k not in ("kind", "time", "layers")}
        elif isinstance(event, TrialFinished):
            data = {"trial": event.trial, "outcome": event.outcome}
        elif isinstance(event, Notice):
            data = {"message": event.message, "level": event.level}
        else:
            return
        events.put(JobEvent(event.kind, data, progress.snapshot(), event.time))

    cfg = OptimizationConfig(**config)  # the run's own SQLite study is opened in WAL mode (study/heartbeat.py)
    result = optimize(cfg, listener, CancelToken(cancel_event))
    results = json.loads(result.results_path.read_text()) if result.results_path.exists() else {}
    return {
        "best_trial": result.best_trial,
        "best_value": result.best_value,
        "best_accuracy": result.best_accuracy,
        "best_test_accuracy": result.best_test_accuracy,
        "best_health": result.best_health,
        "counts": result.counts,
        "importance": results.get("importance") or {},
        "interrupted": result.interrupted,
    }


def _error_line(exc: BaseException) -> str:
    from nettune.errors import NettuneError

    if isinstance(exc, NettuneError):
        return str(exc)
    # Unexpected: the full traceback goes to the server's stderr, the job gets one line.
    traceback.print_exc(file=sys.stderr)
    first = (str(exc).splitlines() or [""])[0]
    logging.getLogger("nettune.api").error("job failed: %s: %s", type(exc).__name__, first)
    return f"unexpected error: {type(exc).__name__}: {first} (details in the server's output)"
