"""AdaptivePoller: how long to wait before the next /status of a job, from what the job has shown so far.

Queued, or running without progress yet: start fast and back off (×1.5) towards max_s, since queue waits and
data loading take unknown time. Running with progress: a quarter of the estimated time left, so a long trial
is polled rarely and one about to finish often. The estimate uses the worker's own timestamps (when the trial
started, when the fraction was reported), because a poll sees a report late; the worker's clock is mapped
onto ours by the smallest (our time − report time) seen so far. Once the last epoch has reported (evaluation,
health and the bundle upload remain) polling restarts at min_s and backs off gently, which catches the result
within tens of milliseconds without hammering the endpoint.
"""

from __future__ import annotations

import math
import time


class AdaptivePoller:
    def __init__(self, min_s: float = 0.01, max_s: float = 2.0) -> None:
        self.min_s, self.max_s = min_s, max_s
        self._interval = min_s
        self._finishing = False
        self._offset = math.inf  # our clock minus the worker's, plus the smallest delivery delay seen

    def next_interval(self, status: str, done_fraction: float | None = None, reported_at: float | None = None,
                      started_at: float | None = None) -> float:
        if status != "IN_PROGRESS" or done_fraction is None or done_fraction <= 0:
            self._interval = min(self.max_s, self._interval * 1.5)
            return self._interval
        if reported_at is not None:
            self._offset = min(self._offset, time.time() - reported_at)
        if done_fraction >= 1.0:
            self._interval = min(self.max_s / 4, self._interval * 1.2) if self._finishing else self.min_s
            self._finishing = True
        elif reported_at is not None and started_at is not None and reported_at > started_at:
            worker_now = time.time() - self._offset
            remaining = (reported_at - started_at) * (1.0 - done_fraction) / done_fraction - (worker_now - reported_at)
            self._interval = min(self.max_s, max(self.min_s, remaining / 4))
        else:  # no timestamps to estimate from
            self._interval = min(self.max_s, self._interval * 1.5)
        return self._interval
