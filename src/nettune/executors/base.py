"""The executor seam: where trials run. The study loop only submits jobs and reads events."""

from __future__ import annotations

from typing import Protocol

from nettune.progress.events import Event
from nettune.trials.job import TrialJob


class Executor(Protocol):
    @property
    def capacity(self) -> int:
        """How many trials may be in flight at once."""
        ...

    def submit(self, job: TrialJob) -> None:
        """Start a trial; called only while fewer than `capacity` are in flight."""
        ...

    def events(self, timeout: float) -> list[Event]:
        """Events since the last call, waiting up to `timeout` seconds for the first one.

        Every submitted job eventually yields exactly one TrialFinished, even if its worker dies.
        """
        ...

    def cancel(self) -> None:
        """Ask every running trial to stop within one batch; each still reports TrialFinished."""
        ...

    def close(self) -> None:
        """Release workers. Safe to call twice."""
        ...
