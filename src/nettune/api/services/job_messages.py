"""What a job's process tells the server, as typed messages on its multiprocessing queue.

The process (job_process.py) sends any number of JobEvents, then exactly one JobReturned or JobRaised. When the
process ends without either (killed, crashed), the supervisor (job_supervisor.py) reports JobDied instead, so the
server always gets one JobOutcome per run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class JobEvent:
    kind: str  # trial_start, epoch_progress, trial_complete or notice (nettune.progress.events)
    data: dict[str, Any]
    progress: dict[str, Any]  # the study's progress snapshot just after the event
    at: float


@dataclass(frozen=True)
class JobReturned:
    """optimize() returned: the study completed, or stopped early (result["interrupted"]) after a cancel."""

    result: dict[str, Any]


@dataclass(frozen=True)
class JobRaised:
    """optimize() raised; `message` is one line."""

    message: str


@dataclass(frozen=True)
class JobDied:
    """The process ended without reporting a result or an error."""

    exitcode: int | None


JobMessage = JobEvent | JobReturned | JobRaised
JobOutcome = JobReturned | JobRaised | JobDied
