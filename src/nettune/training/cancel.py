"""Cooperative cancellation: the trainer checks the token between batches."""

from __future__ import annotations

from typing import Protocol

from nettune.errors import TrialCancelled


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

    def check(self) -> None:
        if self.event.is_set():
            raise TrialCancelled("cancelled by the user")
