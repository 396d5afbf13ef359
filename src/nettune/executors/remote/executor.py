"""RemoteExecutor: the Executor protocol over a RunPod serverless (or self-hosted) endpoint.

Up to `workers` trials are in flight, each followed by a RemoteTrial thread; their events reach the study
through one queue, in the same vocabulary local trials use, so StudyProgress and the displays do not know the
difference. When the endpoint is unreachable (at start, or its circuit breaker is open) and a fallback is
given, trials run on a LocalExecutor instead, with a Notice saying so; without a fallback, an endpoint that
is down at start is an error and one that goes down later fails the trials it cannot take.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable

from nettune.errors import NettuneError
from nettune.executors.base import Executor
from nettune.executors.remote.client import EndpointClient, EndpointUnavailable
from nettune.executors.remote.trial import RemoteSettings, RemoteTrial
from nettune.progress.events import Event, Notice, TrialFinished
from nettune.trials.job import TrialJob

log = logging.getLogger("nettune.remote")
PROBE_ATTEMPTS = 2
CLOSE_TIMEOUT_S = 30.0


class RemoteExecutor:
    def __init__(self, client: EndpointClient, workers: int = 1, settings: RemoteSettings | None = None,
                 fallback: Callable[[], Executor] | None = None) -> None:
        if workers < 1:
            raise ValueError("workers must be >= 1")
        self.client, self._workers = client, workers
        self.settings = settings or RemoteSettings()
        self._fallback_factory = fallback
        self._events: queue.Queue[Event] = queue.Queue()
        self._cancel = threading.Event()
        self._threads: dict[int, threading.Thread] = {}
        self._local: Executor | None = None
        self._local_lock = threading.Lock()
        self._closed = False
        self.timings: dict[int, dict[str, float]] = {}  # per trial: submitted, accepted, worker_*, result_seen, ...
        self._probe()

    @property
    def capacity(self) -> int:
        return self._workers

    def _probe(self) -> None:
        """GET /health once at start: an unreachable endpoint means local fallback (or an error) right away."""
        try:
            # A RemoteError (wrong API key, wrong URL) propagates: that is the user's to fix, not a reason to
            # quietly train locally.
            self.client.health(attempts=PROBE_ATTEMPTS)
        except EndpointUnavailable as exc:
            if self._fallback_factory is None:
                raise NettuneError(f"endpoint {self.client.base_url} is unreachable ({exc}); start it, fix "
                                   "runpod_endpoint, or set runpod_fallback_local=true to train locally") from exc
            self.client.breaker.trip(str(exc))
            self._switch_to_local(f"endpoint {self.client.base_url} is unreachable ({exc}); training locally "
                                  "instead (runpod_fallback_local=true)")

    def _switch_to_local(self, reason: str) -> Executor:
        with self._local_lock:
            if self._local is None:
                assert self._fallback_factory is not None
                log.warning(reason)
                self._events.put(Notice(reason))
                self._local = self._fallback_factory()
            return self._local

    def submit(self, job: TrialJob) -> None:
        self.timings[job.number] = {"submitted": time.time()}
        # Open circuit: straight to local. Half-open: the trial's first request is the breaker's probe.
        if self._local is not None and self.client.breaker.state == "open":
            self._run_locally(job)
            return
        trial = RemoteTrial(job, self.client, self._events.put, self._cancel, self.settings, self._hand_off,
                            self.timings[job.number])
        thread = threading.Thread(target=trial.run, name=f"remote-trial-{job.number}", daemon=True)
        self._threads[job.number] = thread
        thread.start()

    def _hand_off(self, job: TrialJob, reason: str) -> bool:
        """Called from a trial thread when the endpoint is unavailable: run the trial locally if allowed."""
        if self._fallback_factory is None:
            return False
        self._switch_to_local(f"endpoint {self.client.base_url} became unavailable ({reason}); training locally "
                              "until it answers again")
        self._run_locally(job)
        return True

    def _run_locally(self, job: TrialJob) -> None:
        with self._local_lock:
            assert self._local is not None
            self._local.submit(job)

    def events(self, timeout: float) -> list[Event]:
        out: list[Event] = []
        deadline = time.monotonic() + timeout
        while True:
            with self._local_lock:
                if self._local is not None:
                    out += self._local.events(timeout=0.0)
            with contextlib.suppress(queue.Empty):
                while True:
                    out.append(self._events.get_nowait())
            remaining = deadline - time.monotonic()
            if out or remaining <= 0:
                break
            # With local trials to watch as well, look at both often; otherwise simply wait for the queue.
            step = min(remaining, 0.05) if self._local is not None else remaining
            with contextlib.suppress(queue.Empty):
                out.append(self._events.get(timeout=step))
        for event in out:
            if isinstance(event, TrialFinished):
                self._threads.pop(event.trial, None)
        return out

    def cancel(self) -> None:
        self._cancel.set()
        with self._local_lock:
            if self._local is not None:
                self._local.cancel()

    def close(self) -> None:
        """Cancel whatever is still running remotely, wait for the trial threads, release the local workers."""
        if self._closed:
            return
        self._closed = True
        self._cancel.set()
        deadline = time.monotonic() + CLOSE_TIMEOUT_S
        for thread in list(self._threads.values()):
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        with self._local_lock:
            if self._local is not None:
                self._local.close()
        self.client.close()
