"""JobView: the Job object of the API (models.Job) as the job services hand it to routes and live events.

A dataclass rather than the pydantic model: routes return it and FastAPI validates it into models.Job, while the
WebSocket events carry to_json() of the very same view, so a live job_status and GET /jobs/{id} never disagree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from nettune.progress.state import StudyProgress


@dataclass(frozen=True)
class JobView:
    job_id: str
    run_name: str
    state: str  # one of models.JobState
    created_at: float
    started_at: float | None
    finished_at: float | None
    error: str | None
    cancel_requested: bool
    config: dict[str, Any]
    progress: dict[str, Any]  # models.Progress
    model_ready: bool
    result: dict[str, Any] | None  # models.JobResult
    seq: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def empty_progress(config: dict[str, Any]) -> dict[str, Any]:
    """The progress of a job no trial of which has run yet."""
    progress = StudyProgress(total_trials=int(config.get("trials", 0)), mode=str(config.get("mode", "health")))
    return {**progress.snapshot(), "elapsed_s": 0.0}


def aged(progress: dict[str, Any], seconds: float) -> dict[str, Any]:
    """A running job's progress as of now: elapsed grows and the ETA shrinks since the snapshot was taken."""
    eta = progress.get("eta_s")
    return {**progress, "elapsed_s": float(progress.get("elapsed_s") or 0.0) + seconds,
            "eta_s": None if eta is None else max(0.0, eta - seconds)}
