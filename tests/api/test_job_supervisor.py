"""The job supervisor on its own, with real job processes on genuine MNIST: typed events while the job runs, then
exactly one outcome — the study's result, or JobDied when the process is killed before it can report."""

from __future__ import annotations

import threading
from typing import Any

from nettune.api.services.job_config import JobConfigs
from nettune.api.services.job_messages import JobDied, JobEvent, JobOutcome, JobReturned
from nettune.api.services.job_supervisor import JobHandle, JobSupervisor

from .conftest import FAST_JOB, make_settings


class Recorder:
    def __init__(self) -> None:
        self.events: list[JobEvent] = []
        self.outcomes: list[JobOutcome] = []
        self.first_event, self.exited = threading.Event(), threading.Event()

    def on_event(self, event: JobEvent) -> None:
        self.events.append(event)
        self.first_event.set()

    def on_exit(self, outcome: JobOutcome) -> None:
        self.outcomes.append(outcome)
        self.exited.set()


def _start(tmp_path: Any, data_dir: Any, run_name: str, **options: Any) -> tuple[JobHandle, Recorder]:
    settings = make_settings(tmp_path, data_dir)
    config = JobConfigs(settings, None).config({**FAST_JOB, "run_name": run_name, **options})
    handle = JobSupervisor(tmp_path).start(run_name, config.to_dict())
    recorder = Recorder()
    handle.follow(recorder.on_event, recorder.on_exit)
    return handle, recorder


def test_a_job_reports_typed_events_then_its_result(tmp_path, mnist_data_dir):
    handle, recorder = _start(tmp_path, mnist_data_dir, "supervised", trials=2)
    assert recorder.exited.wait(120) and handle.join(10)
    [outcome] = recorder.outcomes
    assert isinstance(outcome, JobReturned) and outcome.result["interrupted"] is False
    assert outcome.result["best_trial"] in (0, 1)
    kinds = [e.kind for e in recorder.events]
    assert kinds.count("trial_start") == kinds.count("trial_complete") == 2
    done = [e for e in recorder.events if e.kind == "trial_complete"]
    assert [e.progress["completed"] for e in done] == [1, 2] and all(e.at > 0 for e in done)


def test_a_killed_job_reports_that_it_died_with_its_exit_code(tmp_path, mnist_data_dir):
    handle, recorder = _start(tmp_path, mnist_data_dir, "killed", trials=3, benchmark_trial_seconds=30)
    assert recorder.first_event.wait(120), "the job sent no event"
    handle.kill()  # SIGKILL to its process group: it cannot send a result or an error
    assert recorder.exited.wait(30) and handle.join(10)
    assert recorder.outcomes == [JobDied(exitcode=-9)]
