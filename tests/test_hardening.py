"""Bad input and unlucky operation: refused in one line, and nothing lost or left behind."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import optuna
import pytest

import nettune
from nettune.config import OptimizationConfig
from nettune.errors import ConfigError, NettuneError
from nettune.storage_url import masked
from nettune.study.run_lock import run_lock
from nettune.study.storage import open_study
from tests.conftest import mnist_study_factory


@pytest.mark.parametrize("option", ["health_weight", "timeout", "trial_timeout", "data_fraction"])
def test_nan_and_infinity_are_refused(option):
    for text in ("nan", "inf", "-inf"):
        with pytest.raises(ConfigError, match=f"{option}=.* is not a finite number"):
            OptimizationConfig.from_strings({option: text})


@pytest.mark.parametrize("option", ["run_name", "output_dir", "storage"])
def test_an_empty_value_is_refused_not_read_as_the_default(option):
    with pytest.raises(ConfigError, match=f"{option}= is empty"):
        OptimizationConfig.from_strings({option: ""})


def test_passwords_are_masked():
    assert masked("postgresql://ann:pw@db:5432/x") == "postgresql://ann:***@db:5432/x"
    assert masked("postgresql://ann@db/x") == "postgresql://ann@db/x"
    assert masked("sqlite:////tmp/a@b/study.db") == "sqlite:////tmp/a@b/study.db"
    assert masked("postgresql://ann:p@ss@db/x") == "postgresql://ann:***@db/x"
    with pytest.raises(ConfigError) as refused:
        open_study(OptimizationConfig(storage="postgresql://ann:topsecret@127.0.0.1:1/x", run_name="r"))
    assert "topsecret" not in str(refused.value) and "ann:***@" in str(refused.value)


@pytest.fixture
def make_config(mnist_data_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return mnist_study_factory(tmp_path, mnist_data_dir, trials=2, max_epochs_per_trial=1, data_fraction=0.02,
                               run_name="hard", benchmark_trial_seconds=0.2, pruner="none")


def test_a_run_in_use_is_refused_naming_the_holder(make_config):
    config = make_config()
    config.run_dir.mkdir(parents=True)
    with run_lock(config.run_dir, "hard"), pytest.raises(ConfigError, match=r"in use by nettune process \d+"):
        nettune.optimize(config)
    assert nettune.optimize(config).counts["complete"] == 2  # released: the same command runs


@pytest.mark.parametrize("change", [{"health_weight": 0.5, "mode": "health"}, {"max_epochs_per_trial": 3}])
def test_resuming_with_another_objective_or_budget_is_refused(make_config, change):
    nettune.optimize(make_config(mode=change.get("mode", "health")))
    key = next(k for k in change if k != "mode")
    with pytest.raises(ConfigError, match=f"already holds a different study \\({key}"):
        nettune.optimize(make_config(**change))


def test_a_failed_start_leaves_no_run_folder(make_config, tmp_path):
    with pytest.raises(NettuneError):
        nettune.optimize(make_config(dataset="cifar10", data_dir=str(tmp_path / "empty")))  # no data, offline
    assert not (tmp_path / "runs" / "hard").exists()


def test_a_refused_endpoint_leaves_no_study_behind(make_config, tmp_path):
    config = make_config(use_runpod_service=True, runpod_endpoint="http://127.0.0.1:1", runpod_fallback_local=False)
    with pytest.raises(NettuneError, match="unreachable"):
        nettune.optimize(config)
    assert not (tmp_path / "runs" / "hard").exists()
    assert nettune.optimize(make_config()).counts["complete"] == 2  # the corrected command is not refused


def test_device_cuda_without_a_gpu_is_one_error_up_front(make_config):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")  # the check is for machines without it; CI has none
    with pytest.raises(ConfigError, match="device=cuda, but this machine has no usable CUDA GPU"):
        nettune.optimize(make_config(device="cuda"))


def _complete_trials(db: Path) -> int:
    """Read-only, with plain sqlite: opening it with Optuna would create the schema and race the process under
    test doing the same."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)) as conn:
            return int(conn.execute("SELECT count(*) FROM trials WHERE state = 'COMPLETE'").fetchone()[0])
    except sqlite3.Error:  # the schema is not there yet
        return 0


def test_sigterm_stops_like_ctrl_c_and_the_study_resumes(mnist_data_dir, tmp_path):
    runs = tmp_path / "runs"
    command = [sys.executable, "-m", "nettune.cli.main", "optimize", "dataset=mnist", "data_fraction=0.02",
               f"data_dir={mnist_data_dir}", "trials=6", "max_epochs_per_trial=2", "benchmark_trial_seconds=3",
               "run_name=term", f"output_dir={runs}", "plot_generation=none", "pruner=none"]
    process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    study_db = runs / "term" / "study.db"
    deadline = time.time() + 120
    while time.time() < deadline:  # until the second trial runs
        if study_db.exists() and _complete_trials(study_db) > 0:
            break
        time.sleep(0.3)
    os.kill(process.pid, signal.SIGTERM)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "interrupted" in out and "Traceback" not in err
    results = json.loads((runs / "term" / "results.json").read_text())
    assert results["interrupted"] is True and results["counts"]["complete"] >= 1
    study = optuna.load_study(study_name="term", storage=f"sqlite:///{study_db}")
    assert optuna.trial.TrialState.RUNNING not in [t.state for t in study.trials]
    again = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert json.loads((runs / "term" / "results.json").read_text())["counts"]["complete"] == 6
