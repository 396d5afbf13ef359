"""LocalExecutor: process workers, their core shares, and what happens when one dies mid-trial."""

import os
import signal
import time

import pytest

from nettune.executors.local import LocalExecutor
from nettune.progress.events import EpochProgress, TrialFinished, TrialStarted
from nettune.space.model_config import ModelConfig
from nettune.trials.job import TrialJob


def _job(number, tmp_path, data_dir, epochs=1, fraction=0.02):
    cfg = ModelConfig(family="cnn", dataset="mnist", input_shape=(1, 28, 28), num_classes=10, filters=(8,),
                      dense_units=16, batch_size=32, epochs=epochs)
    return TrialJob(number=number, model_config=cfg, dataset="mnist", data_fraction=fraction, data_seed=0,
                    seed=number, mode="simple", health_weight=0.3, trial_dir=str(tmp_path / f"{number:04d}"),
                    plot_generation="none", data_dir=str(data_dir))


def _collect(executor, until, timeout=120):
    events, deadline = [], time.time() + timeout
    while time.time() < deadline:
        events += executor.events(timeout=0.2)
        if until(events):
            return events
    pytest.fail(f"timed out; got {[type(e).__name__ for e in events]}")


def test_process_workers_split_the_cores(tmp_path, mnist_data_dir):
    executor = LocalExecutor(workers=2)
    try:
        assert executor.capacity == 2 and executor._threads == max(1, (os.cpu_count() or 1) // 2)
        for n in (0, 1):
            executor.submit(_job(n, tmp_path, mnist_data_dir))
        events = _collect(executor, lambda ev: sum(isinstance(e, TrialFinished) for e in ev) == 2)
        finished = {e.trial: e.outcome for e in events if isinstance(e, TrialFinished)}
        assert {o["state"] for o in finished.values()} == {"complete"}
        assert {o["worker"] for o in finished.values()} == {"local-0", "local-1"}
        assert any(isinstance(e, EpochProgress) and e.trial == 0 for e in events)
    finally:
        executor.close()


def test_a_killed_worker_fails_its_trial_and_is_replaced(tmp_path, mnist_data_dir):
    executor = LocalExecutor(workers=2)
    try:
        executor.submit(_job(0, tmp_path, mnist_data_dir, epochs=50, fraction=0.2))
        _collect(executor, lambda ev: any(isinstance(e, EpochProgress) for e in ev))
        victim = next(slot for slot in executor._slots if slot.job is not None)
        os.kill(victim.runner.pid, signal.SIGKILL)
        events = _collect(executor, lambda ev: any(isinstance(e, TrialFinished) for e in ev), timeout=30)
        outcome = next(e.outcome for e in events if isinstance(e, TrialFinished))
        assert outcome["state"] == "failed" and "worker process died (exit code -9)" in outcome["error"]
        # The replacement worker takes new trials.
        executor.submit(_job(1, tmp_path, mnist_data_dir))
        events = _collect(executor, lambda ev: any(isinstance(e, TrialFinished) for e in ev))
        assert any(isinstance(e, TrialStarted) and e.trial == 1 for e in events)
        assert next(e.outcome for e in events if isinstance(e, TrialFinished))["state"] == "complete"
    finally:
        executor.close()


ORPHAN_SCRIPT = """
import sys, time
from nettune.executors.local import LocalExecutor
from nettune.space.model_config import ModelConfig
from nettune.trials.job import TrialJob

cfg = ModelConfig(family="cnn", dataset="mnist", input_shape=(1, 28, 28), num_classes=10, filters=(8,), epochs=2)
executor = LocalExecutor(workers=2)
for n in (0, 1):
    executor.submit(TrialJob(number=n, model_config=cfg, dataset="mnist", data_fraction=0.01, data_seed=0, seed=n,
                             mode="simple", health_weight=0.3, trial_dir=sys.argv[1] + str(n),
                             fixed_duration_s=600.0))
while sum(e.kind == "trial_start" for e in executor.events(timeout=0.5)) == 0:
    pass
print(" ".join(str(slot.runner.pid) for slot in executor._slots), flush=True)
time.sleep(600)
"""


def test_worker_processes_die_with_their_parent(tmp_path):
    """kill -9 of the orchestrator must not leave its trial processes training on as orphans."""
    import subprocess
    import sys

    parent = subprocess.Popen([sys.executable, "-c", ORPHAN_SCRIPT, str(tmp_path / "t")], stdout=subprocess.PIPE,
                              text=True)
    try:
        worker_pids = [int(p) for p in parent.stdout.readline().split()]
        assert len(worker_pids) == 2 and all(_alive(p) for p in worker_pids)
        parent.kill()
        parent.wait()
        deadline = time.time() + 10
        while any(_alive(p) for p in worker_pids) and time.time() < deadline:
            time.sleep(0.2)
        assert not any(_alive(p) for p in worker_pids)
    finally:
        parent.kill()


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie waits for a parent that will never reap it: count it as gone.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split()[2] != "Z"
