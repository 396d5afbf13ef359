"""WorkerPool: N worker processes running nettune.worker.handler.handle, one job at a time each.

Two threads drive it. The dispatcher hands queued jobs to idle workers as soon as either appears, and watches
the busy ones: a worker process that died fails its job and is replaced; a job past its executionTimeout
ends TIMED_OUT and its worker is replaced; the worker of a cancelled job is asked to stop within one batch
and replaced if it has not stopped after STOP_GRACE_S. The collector reads what the workers report (ready,
progress, result) from one queue.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import queue
import signal
import threading
import time
from pathlib import Path
from typing import Any

from nettune.endpoint.jobs import COMPLETED, FAILED, IN_PROGRESS, TERMINAL, TIMED_OUT, JobStore
from nettune.executors.gpu_groups import gpu_groups, visible_devices_env
from nettune.parent_watch import exit_with_parent

log = logging.getLogger("nettune.endpoint")
STOP_GRACE_S = 10.0


def worker_main(index: int, generation: int, inbox: Any, outbox: Any, stop: Any, threads: int,
                scratch: str | None, server_pid: int, gpus: tuple[int, ...] = ()) -> None:
    """A worker process: import the handler once, then run one job per message until None arrives.
    `gpus`: the CUDA devices this worker may use (its own share of the machine's); () = whatever is visible."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    exit_with_parent(server_pid)  # a server killed outright leaves no worker training as an orphan
    if gpus:  # before torch starts CUDA: the job's device=auto then means this worker's GPU(s), as cuda:0..
        os.environ["CUDA_VISIBLE_DEVICES"] = visible_devices_env(gpus, os.environ.get("CUDA_VISIBLE_DEVICES"))
    import torch

    torch.set_num_threads(threads)
    from nettune.training.cancel import CancelToken
    from nettune.worker.handler import handle

    name = f"w{index}-{generation}"
    outbox.put(("ready", index, generation, None, os.getpid()))
    while (message := inbox.get()) is not None:
        job_id, job_input = message
        try:
            result = handle(job_input, lambda p, job_id=job_id: outbox.put(("progress", index, generation, job_id, p)),
                            CancelToken(stop), worker=name, scratch=Path(scratch) if scratch else None)
        except Exception as exc:  # the handler's own bug or an I/O error: the job fails, the worker lives on
            result = {"error": f"{type(exc).__name__}: {exc}"}
        outbox.put(("done", index, generation, job_id, result))


def endpoint_gpu_groups(concurrency: int) -> list[tuple[int, ...]]:
    """Each worker's share of the visible GPUs: an even split (so a job may use DDP within its share), or one GPU
    each, shared round-robin, when there are more workers than GPUs."""
    import torch

    visible = torch.cuda.device_count()
    return gpu_groups(visible, concurrency, max(1, visible // concurrency))


class _Slot:
    def __init__(self, index: int, generation: int, process: mp.process.BaseProcess, inbox: Any, stop: Any) -> None:
        self.index, self.generation, self.process, self.inbox, self.stop = index, generation, process, inbox, stop
        self.ready = False
        self.spawned = time.monotonic()
        self.job_id: str | None = None
        self.stop_deadline: float | None = None  # set when its job was cancelled or timed out

    @property
    def name(self) -> str:
        return f"w{self.index}-{self.generation}"


class WorkerPool:
    def __init__(self, store: JobStore, concurrency: int, threads_per_worker: int | None = None,
                 scratch: Path | None = None) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be >= 1")
        self.store, self.concurrency = store, concurrency
        self.threads = threads_per_worker or max(1, (os.cpu_count() or 1) // concurrency)
        self.gpus = endpoint_gpu_groups(concurrency)
        self.scratch = str(scratch) if scratch else None
        self._ctx = mp.get_context("spawn")  # fork after torch has started threads can deadlock
        self._outbox: Any = self._ctx.Queue()
        self._slots: list[_Slot] = []
        self._closed = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        with self.store.lock:
            self._slots = [self._spawn(i, 0) for i in range(self.concurrency)]
        for target in (self._dispatch_loop, self._collect_loop):
            thread = threading.Thread(target=target, name=f"endpoint-{target.__name__}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _spawn(self, index: int, generation: int) -> _Slot:
        inbox, stop = self._ctx.Queue(), self._ctx.Event()
        process = self._ctx.Process(target=worker_main, name=f"nettune-worker-{index}", daemon=True,
                                    args=(index, generation, inbox, self._outbox, stop, self.threads, self.scratch,
                                          os.getpid(), self.gpus[index]))
        process.start()
        return _Slot(index, generation, process, inbox, stop)

    # -- state for /health and tests ---------------------------------------------------------------------------
    def worker_counts(self) -> dict[str, int]:
        with self.store.lock:
            return {"idle": sum(s.ready and s.job_id is None for s in self._slots),
                    "running": sum(s.job_id is not None for s in self._slots),
                    "initializing": sum(not s.ready for s in self._slots)}

    def busy_pids(self) -> dict[str, int]:
        """job id -> pid of the worker process running it."""
        with self.store.lock:
            return {s.job_id: s.process.pid for s in self._slots if s.job_id is not None and s.process.pid}

    def wait_ready(self, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        with self.store.lock:
            while not all(s.ready for s in self._slots):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self.store.changed.wait(remaining)
            return True

    # -- threads ------------------------------------------------------------------------------------------------
    def _dispatch_loop(self) -> None:
        with self.store.lock:
            while not self._closed.is_set():
                self._watch()
                for slot in self._slots:
                    if slot.ready and slot.job_id is None:
                        record = self.store.take(slot.name)
                        if record is None:
                            break
                        slot.job_id, slot.stop_deadline = record.id, None
                        slot.stop.clear()
                        slot.inbox.put((record.id, record.input))
                self.store.changed.wait(0.1)

    def _watch(self) -> None:
        """Deaths, execution timeouts and workers that ignore a stop request (store lock held)."""
        now = time.monotonic()
        for i, slot in enumerate(self._slots):
            if not slot.process.is_alive():
                if not slot.ready and now - slot.spawned < 2.0:
                    continue  # a worker that cannot even start is retried at most every two seconds
                if slot.job_id is not None:
                    self.store.finish(slot.job_id, FAILED, error=f"worker process died (exit code "
                                                                 f"{slot.process.exitcode}) while running the job")
                log.warning("worker %s died (exit code %s); starting a new one", slot.name, slot.process.exitcode)
                self._replace(i)
                continue
            if slot.job_id is None:
                continue
            record = self.store.get(slot.job_id)
            if record is not None and record.status == IN_PROGRESS and record.started is not None and \
                    time.time() - record.started > record.execution_timeout_s:
                limit = record.execution_timeout_s
                self.store.finish(record.id, TIMED_OUT, error=f"execution exceeded executionTimeout ({limit:g} s)")
                log.warning("job %s exceeded its executionTimeout; replacing worker %s", record.id, slot.name)
                self._kill_and_replace(i)
            elif record is None or record.status in TERMINAL:  # cancelled (or purged) while running
                if slot.stop_deadline is None:
                    slot.stop.set()
                    slot.stop_deadline = now + STOP_GRACE_S
                elif now > slot.stop_deadline:
                    log.warning("worker %s did not stop cancelled job %s in time; replacing it", slot.name, slot.job_id)
                    self._kill_and_replace(i)

    def _kill_and_replace(self, i: int) -> None:
        slot = self._slots[i]
        slot.process.kill()
        slot.process.join(5)
        self._replace(i)

    def _replace(self, i: int) -> None:
        old = self._slots[i]
        if self._closed.is_set():
            return
        self._slots[i] = self._spawn(old.index, old.generation + 1)

    def _collect_loop(self) -> None:
        while not self._closed.is_set():
            try:
                kind, index, generation, job_id, payload = self._outbox.get(timeout=0.2)
            except queue.Empty:
                continue
            except (EOFError, OSError):
                return
            with self.store.lock:
                slot = next((s for s in self._slots if s.index == index and s.generation == generation), None)
                if slot is None:
                    continue  # a replaced worker's last words
                if kind == "ready":
                    slot.ready = True
                elif kind == "progress":
                    self.store.progress(job_id, payload)
                elif kind == "done":
                    failed = isinstance(payload, dict) and payload.get("error")
                    if failed:
                        self.store.finish(job_id, FAILED, error=str(payload["error"]))
                    else:
                        self.store.finish(job_id, COMPLETED, output=payload)
                    slot.job_id, slot.stop_deadline = None, None
                self.store.changed.notify_all()

    def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        with self.store.lock:
            self.store.changed.notify_all()
            slots = list(self._slots)
        for slot in slots:
            slot.stop.set()
            slot.inbox.put(None)
        for slot in slots:
            slot.process.join(timeout=STOP_GRACE_S if slot.job_id else 2.0)
            if slot.process.is_alive():
                slot.process.kill()
                slot.process.join(5)
        for thread in self._threads:
            thread.join(timeout=5)
