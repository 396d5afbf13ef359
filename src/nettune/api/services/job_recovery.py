"""After a server died: the jobs it left running or queued become INTERRUPTED (resumable), with the progress their
studies recorded."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from nettune.api.job_states import ACTIVE_STATES
from nettune.api.services.store import JobRecord, JobStore
from nettune.api.services.trials import TrialReader
from nettune.jsonsafe import json_safe
from nettune.progress.state import StudyProgress
from nettune.study.record import seed_progress

log = logging.getLogger("nettune.api")


def recover_unfinished(store: JobStore, trials: TrialReader, output_dir: Path) -> list[str]:
    """Mark every unfinished job INTERRUPTED; the ids of those marked."""
    ids = store.mark_unfinished(ACTIVE_STATES, "INTERRUPTED", time.time())
    for job_id in ids:
        record = store.get(job_id)
        if record is None:  # deleted from the store meanwhile: nothing to recover
            continue
        store.update(job_id, progress=json_safe(progress_from_study(record, trials, output_dir / record.run_name)))
        log.warning("job %s was left unfinished by an earlier server; marked INTERRUPTED (resume it with "
                    "POST /jobs/%s/resume)", job_id, job_id)
    return ids


def progress_from_study(record: JobRecord, trials: TrialReader, run_dir: Path) -> dict[str, Any]:
    """Counts and bests as the job's study recorded them: what survived a server that died mid-job."""
    config = record.config
    progress = StudyProgress(total_trials=int(config.get("trials", 0)),
                             concurrency=int(config.get("concurrent_workers") or 1),
                             mode=str(config.get("mode", "health")))
    seed_progress(progress, trials.frozen_trials(run_dir, record.run_name), durations=True)
    elapsed = float((record.progress or {}).get("elapsed_s") or 0.0)
    return {**progress.snapshot(), "elapsed_s": elapsed, "eta_s": None}
