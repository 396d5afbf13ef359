"""Run trials on this machine: one worker thread, or N worker processes each with its share of cores."""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import signal
import threading
import time
from dataclasses import replace
from typing import Any

import torch

from nettune.executors.placement import Placement
from nettune.parent_watch import exit_with_parent
from nettune.progress.events import Event, Notice, TrialFinished
from nettune.training.cancel import CancelToken
from nettune.trials.job import TrialJob, TrialOutcome
from nettune.trials.run import run_trial
from nettune.trials.state import TrialStatus


def worker_loop(name: str, jobs: Any, events: Any, cancel_event: Any, threads: int,
                parent_pid: int | None = None) -> None:
    """Take jobs until a None arrives; every job produces exactly one TrialFinished. `parent_pid` is given in a
    worker process (which leaves Ctrl-C to its parent and exits with it), None in a worker thread."""
    # Always set, never inherited: thread counts change float reduction order, and the CLI, the Python API and an
    # API job must train the same trial the same way.
    torch.set_num_threads(threads)
    if parent_pid is not None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        exit_with_parent(parent_pid)  # nobody could receive this worker's results after its parent died
    cancel = CancelToken(cancel_event)
    while (job := jobs.get()) is not None:
        outcome = run_trial(job, events.put, cancel, worker=name)
        events.put(TrialFinished(trial=job.number, outcome=outcome.to_dict()))


class _Slot:
    """One worker with its own job queue, so a dead worker's trial is known exactly."""

    def __init__(self, name: str, runner: threading.Thread | mp.process.BaseProcess, jobs: Any) -> None:
        self.name, self.runner, self.jobs = name, runner, jobs
        self.job: TrialJob | None = None


class LocalExecutor:
    def __init__(self, workers: int = 1, threads_per_worker: int | None = None,
                 placements: list[Placement] | None = None) -> None:
        """`placements`: where each worker's trials train (a device, or a DDP group); None keeps each job's own."""
        if workers < 1:
            raise ValueError("workers must be >= 1")
        if placements is not None and len(placements) != workers:
            raise ValueError("one placement per worker")
        self._workers = workers
        self._placements = placements
        self._use_processes = workers > 1
        cores = os.cpu_count() or 1
        self._threads = threads_per_worker or max(1, cores // workers)
        if self._use_processes:
            self._ctx = mp.get_context("spawn")  # fork after torch has started threads can deadlock
            self._events: Any = self._ctx.Queue()
            self._cancel: Any = self._ctx.Event()
        else:
            self._events = queue.Queue()
            self._cancel = threading.Event()
        self._slots: list[_Slot] = [self._start_slot(i) for i in range(workers)]
        self._closed = False

    @property
    def capacity(self) -> int:
        return self._workers

    def _start_slot(self, index: int) -> _Slot:
        name = f"local-{index}"
        if self._use_processes:
            jobs: Any = self._ctx.Queue()
            runner: Any = self._ctx.Process(
                target=worker_loop, args=(name, jobs, self._events, self._cancel, self._threads, os.getpid()),
                name=name,
                daemon=True,
            )
        else:
            jobs = queue.Queue()
            runner = threading.Thread(
                target=worker_loop, args=(name, jobs, self._events, self._cancel, self._threads), name=name,
                daemon=True
            )
        runner.start()
        return _Slot(name, runner, jobs)

    def submit(self, job: TrialJob) -> None:
        index = next((i for i, s in enumerate(self._slots) if s.job is None), None)
        if index is None:
            raise RuntimeError("no free worker: submit only while fewer than capacity trials are in flight")
        slot = self._slots[index]
        if self._placements is not None:
            place = self._placements[index]
            job = replace(job, device=place.device, devices=place.devices)
        slot.job = job
        slot.jobs.put(job)

    def events(self, timeout: float) -> list[Event]:
        out: list[Event] = []
        deadline = time.monotonic() + timeout
        while True:
            try:
                wait = max(0.0, deadline - time.monotonic()) if not out else 0.0
                out.append(self._events.get(timeout=wait) if wait > 0 else self._events.get_nowait())
            except queue.Empty:
                break
        for event in out:
            if isinstance(event, TrialFinished):
                for slot in self._slots:
                    if slot.job is not None and slot.job.number == event.trial:
                        slot.job = None
        out.extend(self._reap_dead_workers())
        return out

    def _reap_dead_workers(self) -> list[Event]:
        """A worker that died (killed, out of memory) fails its trial and is replaced."""
        out: list[Event] = []
        for i, slot in enumerate(self._slots):
            if slot.job is None or slot.runner.is_alive():
                continue
            code = getattr(slot.runner, "exitcode", None)
            now = time.time()
            failed = TrialOutcome(number=slot.job.number, state=TrialStatus.FAILED, worker=slot.name,
                                  error=f"worker process died (exit code {code})", trial_dir=slot.job.trial_dir,
                                  started_at=now, finished_at=now)
            out += [Notice(f"{slot.name} died during trial {slot.job.number}; starting a new worker"),
                    TrialFinished(trial=slot.job.number, outcome=failed.to_dict())]
            if not self._closed:
                self._slots[i] = self._start_slot(i)
        return out

    def cancel(self) -> None:
        self._cancel.set()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for slot in self._slots:
            slot.jobs.put(None)
        for slot in self._slots:
            slot.runner.join(timeout=10)
            if isinstance(slot.runner, mp.process.BaseProcess) and slot.runner.is_alive():
                slot.runner.terminate()
