"""A study in real PostgreSQL: an orchestrator that only follows, two pull workers on separate processes that
train genuine MNIST trials, and the result opened by plain Optuna and its CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import optuna
import pytest
import torch

import nettune
from nettune.config import OptimizationConfig
from nettune.data import load_dataset
from nettune.study.shared import SharedStudy, participant_name
from nettune.study.storage import counts_toward_budget, open_study
from nettune.training.evaluate import evaluate
from tests.scale.conftest import optuna_url, trials_of, wait_for

FRACTION = 0.02


def test_follow_only_orchestrator_and_two_pull_workers_share_a_postgres_study(pg_url, mnist_data_dir, tmp_path,
                                                                             nettune_process, fast_heartbeat):
    runs = tmp_path / "runs"
    orchestrator = nettune_process(
        "optimize", "dataset=mnist", f"data_fraction={FRACTION}", f"data_dir={mnist_data_dir}", "trials=4",
        "max_epochs_per_trial=1", "trial_timeout=30", "mode=simple", "pruner=none", f"storage={pg_url}",
        "run_name=shared", f"output_dir={runs}", "follow_only=true", log="orchestrator.log")
    wait_for(lambda: trials_of(pg_url, "shared"), 60, "the orchestrator to create the study and queue trial 0")
    # Each worker takes two trials, so both must take part; the study's budget (4) is reached exactly.
    workers = [nettune_process("worker", "pull", "--storage", pg_url, "--study", "shared", "--n-trials", "2",
                               log=f"worker{i}.log") for i in range(2)]
    for worker in workers:
        assert worker.wait(timeout=180) == 0, (tmp_path / "worker0.log").read_text()
    assert orchestrator.wait(timeout=60) == 0, (tmp_path / "orchestrator.log").read_text()

    results = json.loads((runs / "shared" / "results.json").read_text())
    rows = results["trials"]
    assert [r["number"] for r in rows] == [0, 1, 2, 3]
    assert all(r["state"] == "complete" for r in rows)
    hosts = {r["worker"].split(":")[0] for r in rows}
    assert len(hosts) == 2 and all("/pull-" in h for h in hosts)  # two pull workers, none of them the orchestrator

    # The orchestrator assembled the optimized model from the worker's files (same file system), not retrained.
    model = nettune.load_model(runs / "shared" / "optimized_model")
    data = load_dataset("mnist", data_fraction=FRACTION, seed=42, data_dir=mnist_data_dir)
    assert evaluate(model, data.test, torch.device("cpu")).accuracy == pytest.approx(results["best"]["test_accuracy"])

    # A plain Optuna study: load_study and the optuna CLI see the same trials and values.
    study = optuna.load_study(study_name="shared", storage=optuna_url(pg_url))
    assert [(t.number, t.value) for t in study.trials] == [(r["number"], r["value"]) for r in rows]
    assert study.trials[0].user_attrs["baseline"] is True
    optuna_cli = Path(sys.executable).with_name("optuna")  # installed with optuna, beside this interpreter
    listed = subprocess.run([str(optuna_cli), "trials", "--storage", optuna_url(pg_url), "--study-name", "shared",
                             "-f", "json"], capture_output=True, text=True, timeout=120, check=True)
    assert sorted((t["number"], t["value"]) for t in json.loads(listed.stdout)) == \
        [(r["number"], r["value"]) for r in rows]


def test_claims_never_exceed_the_budget(pg_url, tmp_path):
    """Four participants race for the last slots; the database lock lets exactly `trials` of them through."""
    config = OptimizationConfig(dataset="mnist", trials=7, storage=pg_url, run_name="race", output_dir=str(tmp_path),
                                warm_start=False)
    open_study(config)[0]._storage._backend.close()
    claimed: list[int] = []
    lock = threading.Lock()

    def participant() -> None:
        study, _ = open_study(config)
        shared = SharedStudy(study, config.trials, participant_name("test"))
        try:
            while (trial := shared.claim()) is not None:
                trial.suggest_float("x", 0.0, 1.0)
                with lock:
                    claimed.append(trial.number)
                study.tell(trial, trial.params["x"])
        finally:
            shared.finish()

    threads = [threading.Thread(target=participant) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    trials = trials_of(pg_url, "race")
    assert sorted(claimed) == list(range(7))
    assert sum(counts_toward_budget(t) for t in trials) == 7 and len(trials) == 7
