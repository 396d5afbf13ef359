"""EventHub: numbers every job event and fans it out to WebSocket subscribers.

It lives on the server's event loop. Job threads hand events over with publish_threadsafe(); each event is
encoded to JSON once and queued to every subscriber of its job (and every subscriber of all jobs). A subscriber
that stops reading is cut off when its queue is full, so one slow client can neither stall the others nor grow
the server's memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

from nettune.jsonsafe import json_safe

MAX_PENDING = 1000
CLOSE_TOO_SLOW = object()  # queued instead of a message: the subscriber fell too far behind


class Subscriber:
    def __init__(self, job_id: str | None, max_pending: int) -> None:
        self.job_id = job_id  # None: every job
        self.queue: asyncio.Queue[Any] = asyncio.Queue(max_pending + 1)
        self.max_pending = max_pending


class EventHub:
    def __init__(self, max_pending: int = MAX_PENDING) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._subscribers: set[Subscriber] = set()
        self._seq: dict[str, int] = {}
        # Sequence numbers only grow, across restarts too: a restarted server starts above any earlier number.
        self._base = int(time.time() * 1000)
        self._max_pending = max_pending

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def unbind(self) -> None:
        self._loop = None

    def seq(self, job_id: str) -> int:
        return self._seq.get(job_id, self._base)

    def subscribe(self, job_id: str | None) -> Subscriber:
        """Call on the event loop; events published from now on are queued to the subscriber."""
        subscriber = Subscriber(job_id, self._max_pending)
        self._subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.discard(subscriber)

    def publish_threadsafe(self, job_id: str, kind: str, data: Any, at: float | None = None) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed just now: the server is shutting down
            loop.call_soon_threadsafe(self.publish, job_id, kind, data, time.time() if at is None else at)

    def publish(self, job_id: str, kind: str, data: Any, at: float) -> None:
        seq = self._seq[job_id] = self.seq(job_id) + 1
        text = envelope(kind, job_id, seq, at, data)
        for subscriber in list(self._subscribers):
            if subscriber.job_id is not None and subscriber.job_id != job_id:
                continue
            if subscriber.queue.qsize() >= subscriber.max_pending:
                self._cut_off(subscriber)
            else:
                subscriber.queue.put_nowait(text)

    def _cut_off(self, subscriber: Subscriber) -> None:
        self._subscribers.discard(subscriber)
        while not subscriber.queue.empty():
            subscriber.queue.get_nowait()
        subscriber.queue.put_nowait(CLOSE_TOO_SLOW)


def envelope(kind: str, job_id: str | None, seq: int | None, at: float, data: Any) -> str:
    return json.dumps({"type": kind, "job_id": job_id, "seq": seq, "time": at, "data": json_safe(data)},
                      separators=(",", ":"), allow_nan=False)
