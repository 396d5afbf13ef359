"""The study loop, written once: take trials from a source, run them on an executor, record each outcome once.

`nettune optimize` runs it over the run's own study or, on shared storage, over its claims; a pull worker runs it
over its claims with its own devices. What differs between them lives in the TrialSource and the limits; where
a trial trains (which device) is the executor's business.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import optuna

from nettune.executors.base import Executor
from nettune.progress.events import Event, Notice, TrialFinished
from nettune.progress.state import StudyProgress
from nettune.study.record import record_outcome
from nettune.study.recovery import requeue
from nettune.study.shared import SharedStudy
from nettune.training.cancel import CancelToken
from nettune.trials.job import TrialJob, TrialOutcome
from nettune.trials.state import TrialStatus

log = logging.getLogger("nettune.study")

Listener = Callable[[Event, StudyProgress], None]
CANCEL_GRACE_S = 60.0  # how long to wait for running trials to stop after Ctrl-C


class TrialSource(Protocol):
    def next_trial(self) -> optuna.Trial | None:
        """A trial to run now, or None when none may be taken now."""
        ...

    def poll(self) -> list[Event]:
        """Other participants' progress (shared studies); [] for a study only this process runs."""
        ...

    def done(self) -> bool:
        """Nothing is left for anyone: the loop may end once its own trials are in."""
        ...

    def record(self, trial: optuna.Trial, outcome: TrialOutcome) -> None:
        """Record a trial's outcome; called exactly once per trial the loop took."""
        ...


class OwnStudy:
    """The run's own study: this process asks for every trial; the loop's budget says when to stop."""

    def __init__(self, study: optuna.Study) -> None:
        self.study = study

    def next_trial(self) -> optuna.Trial | None:
        return self.study.ask()

    def poll(self) -> list[Event]:
        return []

    def done(self) -> bool:
        return True

    def record(self, trial: optuna.Trial, outcome: TrialOutcome) -> None:
        record_outcome(self.study, trial, outcome)


class SharedClaims:
    """Trials claimed from a study that several participants share (PostgreSQL, or a shared SQLite file).

    `label` names this participant in each outcome's worker field; with `hand_back`, a trial stopped by this
    participant's own shutdown is queued again with the same parameters for another participant to run.
    """

    def __init__(self, shared: SharedStudy, label: str | None = None, hand_back: bool = False) -> None:
        self.shared, self.label, self.hand_back = shared, label, hand_back

    def next_trial(self) -> optuna.Trial | None:
        return self.shared.claim()

    def poll(self) -> list[Event]:
        return self.shared.poll()

    def done(self) -> bool:
        return self.shared.done()

    def record(self, trial: optuna.Trial, outcome: TrialOutcome) -> None:
        if self.label is not None:
            outcome.worker = f"{self.label}:{outcome.worker}"  # which host ran it, for everyone else
        study = self.shared.study
        if record_outcome(study, trial, outcome) and outcome.state == TrialStatus.CANCELLED and self.hand_back:
            frozen = study.get_trials(deepcopy=False)[trial.number]
            requeue(study, frozen, [*frozen.system_attrs.get("retry_history", []), frozen.number])
            log.warning("trial %d stopped with this worker; queued again with the same parameters", trial.number)


@dataclass
class Limits:
    total: int | None = None  # finished trials the study wants, counted by the loop (own study)
    take: int | None = None  # trials this participant may take (pull --n-trials)
    deadline: float | None = None  # no trial starts after this (time.time())
    submit: bool = True  # False: follow the study, run nothing (follow_only)


@dataclass
class LoopReport:
    interrupted: bool = False  # Ctrl-C or SIGTERM
    ran: dict[int, TrialStatus] = field(default_factory=dict)  # trial number -> its outcome, for trials taken here
    # The cheapest predicted trial so far: once less time than that is left, no trial could finish, so none is
    # started (instead of sampling, building and skipping trials until the deadline).
    cheapest_s: float | None = None


def run_loop(source: TrialSource, executor: Executor, make_job: Callable[[optuna.Trial], TrialJob | None],
             progress: StudyProgress, listener: Listener, cancel: CancelToken, limits: Limits) -> LoopReport:
    report = LoopReport()
    in_flight: dict[int, optuna.Trial] = {}
    taken = 0

    def may_take() -> bool:
        return (limits.submit and len(in_flight) < executor.capacity and not cancel.cancelled
                and (limits.take is None or taken < limits.take)
                and (limits.total is None or progress.finished + len(in_flight) < limits.total)
                and (limits.deadline is None
                     or time.time() + (report.cheapest_s or 0.0) < limits.deadline))

    def handle(events: list[Event]) -> None:
        for event in events:
            progress.apply(event)
            listener(event, progress)
            if isinstance(event, TrialFinished) and event.trial in in_flight:
                outcome = TrialOutcome.from_dict(event.outcome)
                source.record(in_flight.pop(event.trial), outcome)
                report.ran[event.trial] = outcome.state
                predicted = outcome.metrics.get("predicted_s")
                if isinstance(predicted, int | float) and predicted > 0:
                    report.cheapest_s = min(report.cheapest_s or float(predicted), float(predicted))
            elif isinstance(event, Notice):
                log.warning(event.message)

    try:
        while True:
            while may_take():
                trial = source.next_trial()
                if trial is None:  # the remaining slots are taken by other participants' trials
                    break
                taken += 1
                job = make_job(trial)
                if job is not None:  # None: a combination that cannot be built, already recorded as failed
                    executor.submit(job)
                    in_flight[trial.number] = trial
            if not in_flight and (source.done() or cancel.cancelled or _past(limits.deadline, report.cheapest_s)
                                  or (limits.take is not None and taken >= limits.take)):
                break
            if cancel.cancelled:
                executor.cancel()
            handle(executor.events(timeout=0.25) + source.poll())
    except KeyboardInterrupt:
        report.interrupted = True
        log.warning("interrupted: stopping %d running trial(s); completed trials are kept", len(in_flight))
        # Interrupted again after a stop was already asked for: the user wants out now, not after the trials.
        _drain(executor, in_flight, handle, source, wait=not cancel.cancelled)
    return report


def _past(deadline: float | None, cheapest_s: float | None = None) -> bool:
    return deadline is not None and time.time() + (cheapest_s or 0.0) >= deadline


def _drain(executor: Executor, in_flight: dict[int, optuna.Trial], handle: Callable[[list[Event]], None],
           source: TrialSource, wait: bool = True) -> None:
    executor.cancel()
    deadline = time.time() + (CANCEL_GRACE_S if wait else 0.0)
    while in_flight and time.time() < deadline:
        try:
            events = executor.events(timeout=0.25)
        except KeyboardInterrupt:  # a second Ctrl-C: stop waiting
            break
        handle(events)
    for number, trial in list(in_flight.items()):  # never reported back: leave a resumable record
        now = time.time()
        source.record(trial, TrialOutcome(number=number, state=TrialStatus.CANCELLED, error="did not stop in time",
                                          started_at=now, finished_at=now))
        log.warning("trial %d did not stop in time; recorded as interrupted", number)
