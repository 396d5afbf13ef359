"""kill -9 of a pull worker or of the orchestrator mid-trial: every completed trial is kept (the exact set, with
its value), the trial that was running is failed and run again with the same parameters, and the study ends with
exactly its budget. Trials are fixed-length (benchmark_trial_seconds) so the kill lands mid-trial reliably."""

from __future__ import annotations

import json
import os
import signal

from optuna.trial import TrialState

from nettune.config import OptimizationConfig
from nettune.study.heartbeat import heartbeat_backend
from nettune.study.storage import counts_toward_budget, open_study
from tests.scale.conftest import read_log, trials_of, wait_for

TRIALS = 4


def _kill_mid_trial(proc, url: str, study: str, min_complete: int) -> tuple[dict[int, float], object]:
    """kill -9 `proc` once it has completed `min_complete` trials and is inside the next one; returns the
    completed trials (number -> value) and the trial left RUNNING, as the database holds them after the kill."""
    def mid_trial() -> bool:
        trials = trials_of(url, study)
        complete = sum(t.state == TrialState.COMPLETE for t in trials)
        # model_config is recorded once all parameters are drawn: the trial is then training
        return complete >= min_complete and any(t.state == TrialState.RUNNING and "model_config" in t.user_attrs
                                                for t in trials)

    wait_for(mid_trial, 120, f"{min_complete} completed trial(s) and one running")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    trials = trials_of(url, study)
    (running,) = [t for t in trials if t.state == TrialState.RUNNING]
    return {t.number: t.value for t in trials if t.state == TrialState.COMPLETE}, running


def _assert_recovered(url: str, study: str, kept: dict[int, float], killed) -> None:
    trials = trials_of(url, study)
    complete = {t.number: t.value for t in trials if t.state == TrialState.COMPLETE}
    assert {n: complete.get(n) for n in kept} == kept  # the exact set of completed trials, values unchanged
    dead = trials[killed.number]
    assert dead.state == TrialState.FAIL and dead.user_attrs["interrupted"] is True
    (retry,) = [t for t in trials if t.system_attrs.get("failed_trial") == killed.number]
    assert retry.params == killed.params and retry.state == TrialState.COMPLETE
    assert retry.system_attrs["retry_history"] == [killed.number]
    assert sum(counts_toward_budget(t) for t in trials) == TRIALS
    assert not any(t.state in (TrialState.RUNNING, TrialState.WAITING) for t in trials)


def _config(tmp_path, mnist_data_dir, **overrides) -> OptimizationConfig:
    base = {"dataset": "mnist", "data_fraction": 0.02, "data_dir": str(mnist_data_dir), "trials": TRIALS,
            "max_epochs_per_trial": 2, "output_dir": str(tmp_path / "runs"), "benchmark_trial_seconds": 2.0}
    return OptimizationConfig(**{**base, **overrides})


def _cli_args(config: OptimizationConfig) -> list[str]:
    keys = ("dataset", "data_fraction", "data_dir", "trials", "max_epochs_per_trial", "output_dir",
            "benchmark_trial_seconds", "run_name", "storage")
    return ["optimize", *(f"{k}={getattr(config, k)}" for k in keys if getattr(config, k) is not None)]


def test_killed_pull_worker_loses_no_completed_trial(pg_url, mnist_data_dir, tmp_path, nettune_process,
                                                     fast_heartbeat):
    config = _config(tmp_path, mnist_data_dir, storage=pg_url, run_name="pulled")
    study, _ = open_study(config)  # what `nettune optimize ... follow_only=true` does first
    heartbeat_backend(study).close()
    first = nettune_process("worker", "pull", "--storage", pg_url, "--study", "pulled", log="first.log")
    kept, killed = _kill_mid_trial(first, pg_url, "pulled", min_complete=1)

    # A new worker takes over: after the grace period it fails the dead worker's trial and reruns it.
    second = nettune_process("worker", "pull", "--storage", pg_url, "--study", "pulled", log="second.log")
    assert second.wait(timeout=120) == 0, read_log(tmp_path, "second.log")
    _assert_recovered(pg_url, "pulled", kept, killed)
    assert f"trial {killed.number} was left running by a process that died" in read_log(tmp_path, "second.log") \
        or f"trial {killed.number} was left running" in (tmp_path / "runs/pulled/nettune.log").read_text()


def test_killed_orchestrator_resumes_with_its_own_sqlite(mnist_data_dir, tmp_path, nettune_process):
    config = _config(tmp_path, mnist_data_dir, run_name="local")
    url = config.storage_url()
    first = nettune_process(*_cli_args(config), log="first.log")
    kept, killed = _kill_mid_trial(first, url, "local", min_complete=2)

    again = nettune_process(*_cli_args(config), log="again.log")  # the same command
    assert again.wait(timeout=120) == 0, read_log(tmp_path, "again.log")
    _assert_recovered(url, "local", kept, killed)
    rows = json.loads((config.run_dir / "results.json").read_text())["trials"]
    assert rows[killed.number]["state"] == "interrupted"
    assert sum(r["state"] == "complete" for r in rows) == TRIALS


def test_killed_orchestrator_resumes_on_postgres(pg_url, mnist_data_dir, tmp_path, nettune_process, fast_heartbeat):
    config = _config(tmp_path, mnist_data_dir, storage=pg_url, run_name="shared")
    first = nettune_process(*_cli_args(config), log="first.log")
    kept, killed = _kill_mid_trial(first, pg_url, "shared", min_complete=1)

    # In shared storage the rerun cannot know the RUNNING trial is dead until its heartbeat is older than the
    # grace period; it runs other trials meanwhile, then reruns that one.
    again = nettune_process(*_cli_args(config), log="again.log")
    assert again.wait(timeout=120) == 0, read_log(tmp_path, "again.log")
    _assert_recovered(pg_url, "shared", kept, killed)
