"""Cooperative cancellation: the trainer looks at the token between batches and ends the run (stop reason
"cancelled"), so a cancelled trial stops within one batch and still reports back like any other."""

from __future__ import annotations

from typing import Protocol


class EventLike(Protocol):
    def is_set(self) -> bool: ...
    def set(self) -> None: ...


class CancelToken:
    """Wraps a threading.Event or multiprocessing.Event so threads and processes stop the same way."""

    def __init__(self, event: EventLike | None = None) -> None:
        if event is None:
            import threading

            event = threading.Event()
        self.event = event

    def cancel(self) -> None:
        self.event.set()

    @property
    def cancelled(self) -> bool:
        return self.event.is_set()

