"""JobStore: the endpoint's queue and job records, with RunPod's job states and status fields.

One lock guards everything (records, queue, counters); `changed` is notified on every state change so the
dispatcher and /runsync waiters wake at once instead of polling.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

IN_QUEUE, IN_PROGRESS, COMPLETED, FAILED, CANCELLED, TIMED_OUT = (
    "IN_QUEUE", "IN_PROGRESS", "COMPLETED", "FAILED", "CANCELLED", "TIMED_OUT")
TERMINAL = frozenset({COMPLETED, FAILED, CANCELLED, TIMED_OUT})
DEFAULT_EXECUTION_TIMEOUT_S = 600.0  # RunPod's default: 10 minutes unless the request's policy says otherwise
DEFAULT_TTL_S = 86400.0  # how long a job may wait in the queue (RunPod: 24 hours)
STREAM_BUFFER = 1000  # unread /stream outputs kept per job (progress arrives a few times per epoch)
RESULT_RETENTION_S = {"run": 1800.0, "runsync": 60.0}  # results of /run stay 30 minutes, of /runsync 1 minute


@dataclass
class JobRecord:
    input: Any
    execution_timeout_s: float = DEFAULT_EXECUTION_TIMEOUT_S
    ttl_s: float = DEFAULT_TTL_S
    retention_s: float = RESULT_RETENTION_S["run"]
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    status: str = IN_QUEUE
    submitted: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    output: Any = None
    error: str | None = None
    worker_id: str | None = None
    # Outputs not yet read through /stream: each progress report, then the result (RunPod's streaming contract).
    stream: deque[Any] = field(default_factory=lambda: deque(maxlen=STREAM_BUFFER))

    def to_status(self) -> dict[str, Any]:
        now = time.time()
        waited_until = self.started if self.started is not None else (self.finished or now)
        body: dict[str, Any] = {"id": self.id, "status": self.status,
                                "delayTime": int(1000 * (waited_until - self.submitted))}
        if self.started is not None:
            body["executionTime"] = int(1000 * ((self.finished or now) - self.started))
        if self.worker_id is not None:
            body["workerId"] = self.worker_id
        if self.output is not None:
            body["output"] = self.output
        if self.error is not None:
            body["error"] = self.error
        return body


class JobStore:
    def __init__(self, max_queue: int = 500) -> None:
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.max_queue = max_queue
        self._jobs: dict[str, JobRecord] = {}
        self._queue: deque[str] = deque()
        self.counts = {"completed": 0, "failed": 0, "retried": 0}

    # -- submission ------------------------------------------------------------------------------------------
    def submit(self, record: JobRecord) -> JobRecord | None:
        """Queue a job; None when the queue is full (the caller answers 429)."""
        with self.lock:
            self._expire()
            if len(self._queue) >= self.max_queue:
                return None
            self._jobs[record.id] = record
            self._queue.append(record.id)
            self.changed.notify_all()
            return record

    def drain_stream(self, job_id: str) -> tuple[JobRecord, list[Any]] | None:
        """The job and the outputs it produced since the last call (each is read once)."""
        with self.lock:
            record = self.get(job_id)
            if record is None:
                return None
            items = list(record.stream)
            record.stream.clear()
            return record, items

    def get(self, job_id: str) -> JobRecord | None:
        with self.lock:
            self._expire()
            return self._jobs.get(job_id)

    def take(self, worker_id: str) -> JobRecord | None:
        """The next queued job, now IN_PROGRESS on `worker_id`; jobs that waited past their ttl time out."""
        with self.lock:
            while self._queue:
                record = self._jobs.get(self._queue.popleft())
                if record is None or record.status != IN_QUEUE:
                    continue
                if time.time() - record.submitted > record.ttl_s:
                    self._finish(record, TIMED_OUT, error=f"the job waited in the queue longer than its ttl "
                                                          f"({record.ttl_s:.0f} s)")
                    continue
                record.status, record.started, record.worker_id = IN_PROGRESS, time.time(), worker_id
                self.changed.notify_all()
                return record
            return None

    # -- updates from workers --------------------------------------------------------------------------------
    def progress(self, job_id: str, output: Any) -> None:
        with self.lock:
            record = self._jobs.get(job_id)
            if record is not None and record.status == IN_PROGRESS:
                record.output = output
                record.stream.append(output)
                self.changed.notify_all()

    def finish(self, job_id: str, status: str, output: Any = None, error: str | None = None) -> bool:
        """Record a job's end; False when it had already ended (a cancelled job's late result is dropped)."""
        with self.lock:
            record = self._jobs.get(job_id)
            if record is None or record.status in TERMINAL:
                return False
            self._finish(record, status, output, error)
            return True

    def _finish(self, record: JobRecord, status: str, output: Any = None, error: str | None = None) -> None:
        record.status, record.finished, record.output, record.error = status, time.time(), output, error
        if status == COMPLETED and output is not None:
            record.stream.append(output)
        if status == COMPLETED:
            self.counts["completed"] += 1
        elif status in (FAILED, TIMED_OUT):
            self.counts["failed"] += 1
        self.changed.notify_all()

    # -- client operations -----------------------------------------------------------------------------------
    def cancel(self, job_id: str) -> JobRecord | None:
        with self.lock:
            record = self._jobs.get(job_id)
            if record is not None and record.status not in TERMINAL:
                self._finish(record, CANCELLED)
            return record

    def retry(self, job_id: str) -> JobRecord | None:
        """Requeue a FAILED or TIMED_OUT job under the same id; None if there is no such job in those states."""
        with self.lock:
            record = self._jobs.get(job_id)
            if record is None or record.status not in (FAILED, TIMED_OUT):
                return None
            record.status, record.submitted, record.started, record.finished = IN_QUEUE, time.time(), None, None
            record.output = record.error = record.worker_id = None
            self.counts["retried"] += 1
            self._queue.append(record.id)
            self.changed.notify_all()
            return record

    def purge_queue(self) -> int:
        with self.lock:
            removed = 0
            while self._queue:
                record = self._jobs.get(self._queue.popleft())
                if record is not None and record.status == IN_QUEUE:
                    self._finish(record, CANCELLED, error="removed from the queue by /purge-queue")
                    removed += 1
            return removed

    def wait_terminal(self, job_id: str, timeout_s: float) -> JobRecord | None:
        deadline = time.monotonic() + timeout_s
        with self.lock:
            while True:
                record = self._jobs.get(job_id)
                remaining = deadline - time.monotonic()
                if record is None or record.status in TERMINAL or remaining <= 0:
                    return record
                self.changed.wait(remaining)

    def job_counts(self) -> dict[str, int]:
        with self.lock:
            live = [r.status for r in self._jobs.values()]
            return {"completed": self.counts["completed"], "failed": self.counts["failed"],
                    "inProgress": live.count(IN_PROGRESS), "inQueue": live.count(IN_QUEUE),
                    "retried": self.counts["retried"]}

    def running(self) -> list[JobRecord]:
        with self.lock:
            return [r for r in self._jobs.values() if r.status == IN_PROGRESS]

    def _expire(self) -> None:
        """Forget finished jobs whose results are past their retention."""
        now = time.time()
        stale = [k for k, r in self._jobs.items()
                 if r.status in TERMINAL and r.finished is not None and now - r.finished > r.retention_s]
        for key in stale:
            del self._jobs[key]
