"""Process supervision for jobs: start a job's process, follow its messages on a thread, stop it, kill it.

Each job runs run_job (job_process.py) in a spawned process that leads its own process group. One follower thread
per job reads the process's JobEvents and hands them on, notices when the process ends, and reports exactly one
JobOutcome. What the events and the outcome mean for the job (its state, its record, the live events) is the
JobManager's business, not this module's.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from nettune.api.services.job_messages import JobDied, JobEvent, JobOutcome, JobRaised, JobReturned
from nettune.api.services.job_process import run_job

log = logging.getLogger("nettune.api")
POLL_S = 0.5
KILL_WAIT_S = 5.0  # how long a killed (or ended) process gets to be reaped


class JobHandle:
    """One job's process, its message queue and cancel flag, and the thread that follows them."""

    def __init__(self, job_id: str, process: Any, events: Any, cancel: Any) -> None:
        self.job_id, self.process, self.events, self.cancel_flag = job_id, process, events, cancel
        self.thread: threading.Thread | None = None
        self._reported: JobReturned | JobRaised | None = None
        self._kill_at: float | None = None  # after a cancel: when to stop waiting and kill the process group
        self._grace_s = 0.0

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def follow(self, on_event: Callable[[JobEvent], None], on_exit: Callable[[JobOutcome], None]) -> None:
        """Start the follower thread: on_event for each event, then on_exit once, after the process has ended."""
        self.thread = threading.Thread(target=self._follow, args=(on_event, on_exit), daemon=True,
                                       name=f"job-{self.job_id}")
        self.thread.start()

    def cancel(self, grace_s: float) -> None:
        """Ask the job to stop (its trials stop within one batch); kill its process group if it has not in grace_s."""
        self.cancel_flag.set()
        self._grace_s, self._kill_at = grace_s, time.time() + grace_s

    def request_stop(self) -> None:
        """Ask the job to stop, with no kill deadline: the caller decides (see stop_all)."""
        self.cancel_flag.set()

    def join(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the follower to finish; True if it has (or never started)."""
        if self.thread is None:
            return True
        self.thread.join(timeout)
        return not self.thread.is_alive()

    def kill(self) -> None:
        kill_group(self.process)

    def _follow(self, on_event: Callable[[JobEvent], None], on_exit: Callable[[JobOutcome], None]) -> None:
        """Hand on the process's messages until it has ended and its queue is drained; then report its outcome."""
        while True:
            try:
                message = self.events.get(timeout=POLL_S)
            except queue.Empty:
                if not self.process.is_alive():
                    break
                if self._kill_at is not None and time.time() > self._kill_at:
                    log.warning("job %s did not stop within %.0fs of its cancel; killing it", self.job_id,
                                self._grace_s)
                    kill_group(self.process)
                continue
            except (EOFError, OSError):  # the queue's pipe broke with the process
                break
            try:
                self._receive(message, on_event)
            except Exception:  # one bad message must not stop the job from being followed
                log.exception("job %s: cannot handle a message from the job process", self.job_id)
        self.process.join(KILL_WAIT_S)
        if self.process.is_alive():  # its queue broke but it runs on: it could no longer report anything
            kill_group(self.process)
            self.process.join(KILL_WAIT_S)
        on_exit(self._reported or JobDied(self.process.exitcode))
        self.events.close()  # the job's queue, pipes and process handle are not reused
        with contextlib.suppress(ValueError):  # still running after SIGKILL and 5 s: leave the handle be
            self.process.close()

    def _receive(self, message: object, on_event: Callable[[JobEvent], None]) -> None:
        if isinstance(message, JobEvent):
            on_event(message)
        elif isinstance(message, JobReturned | JobRaised):
            self._reported = message
        else:
            raise TypeError(f"unexpected message {type(message).__name__}")


class JobSupervisor:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self._ctx = mp.get_context("spawn")  # fork after torch has started threads can deadlock

    def start(self, job_id: str, config: dict[str, Any]) -> JobHandle:
        """The job's process, started (not yet followed: see JobHandle.follow)."""
        events, cancel = self._ctx.Queue(), self._ctx.Event()
        process = self._ctx.Process(target=run_job, name=f"nettune-job-{job_id}",
                                    args=(config, events, cancel, str(self.workdir), os.getpid()))
        process.start()
        return JobHandle(job_id, process, events, cancel)


def stop_all(handles: Iterable[JobHandle], grace_s: float) -> None:
    """Ask every job to stop, wait up to grace_s for all of them together, then kill the ones still running."""
    handles = list(handles)
    deadline = time.time() + grace_s
    for handle in handles:
        handle.request_stop()
    for handle in handles:
        handle.join(max(0.0, deadline - time.time()))
    for handle in handles:
        if not handle.join(0.0):
            handle.kill()
            handle.join(KILL_WAIT_S)


def kill_group(process: Any) -> None:
    """Kill the job process and every trial worker it started (they share its process group)."""
    if process.pid is None:
        return
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):  # already gone, or not yet its own group leader
        process.kill()
