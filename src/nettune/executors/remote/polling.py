"""AdaptivePoller: how long to wait before the next /status of a job, from what the job has shown so far.

Queued, or running without progress yet: start fast and back off (×1.5) towards max_s, since queue waits and
data loading take unknown time. Running with progress: a quarter of the estimated time left, estimated from
when the reported fraction last changed (progress arrives throttled, so the poll time would overstate it);
a long trial is polled rarely and one about to finish often. Once the last epoch has reported (evaluation,
health and the bundle upload remain) polling starts again at min_s and backs off gently, which catches the
result within tens of milliseconds without hammering the endpoint.
"""

from __future__ import annotations

import time


class AdaptivePoller:
    def __init__(self, min_s: float = 0.02, max_s: float = 2.0) -> None:
        self.min_s, self.max_s = min_s, max_s
        self._interval = min_s
        self._finishing = False
        self._running_since: float | None = None
        self._fraction: float | None = None
        self._fraction_seen = 0.0  # when the current fraction was first seen

    def next_interval(self, status: str, done_fraction: float | None) -> float:
        now = time.monotonic()
        if status != "IN_PROGRESS":
            self._interval = min(self.max_s, self._interval * 1.5)
            return self._interval
        if self._running_since is None:
            self._running_since, self._interval = now, self.min_s
        if done_fraction != self._fraction:
            self._fraction, self._fraction_seen = done_fraction, now
        if done_fraction is None or done_fraction <= 0:
            self._interval = min(self.max_s, self._interval * 1.5)
        elif done_fraction >= 1.0:
            if not self._finishing:
                self._finishing, self._interval = True, self.min_s
            else:
                self._interval = min(self.max_s / 4, self._interval * 1.2)
        else:
            took = self._fraction_seen - self._running_since
            remaining = took * (1.0 - done_fraction) / done_fraction - (now - self._fraction_seen)
            self._interval = min(self.max_s, max(self.min_s, remaining / 4))
        return self._interval
