"""End-to-end studies on genuine MNIST subsets: results, resume, failures, stale trials, concurrency."""

import json
import logging

import optuna
import pytest
import torch
import yaml

import nettune
from nettune.config import OptimizationConfig
from nettune.data import load_dataset
from nettune.health import METRIC_NAMES
from nettune.training.evaluate import evaluate

FRACTION = 0.035  # about 2,100 training and 350 test images


@pytest.fixture
def make_config(mnist_data_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # logs/nettune.log lands here

    def make(**overrides):
        base = {"dataset": "mnist", "trials": 3, "max_epochs_per_trial": 2, "data_fraction": FRACTION,
                "output_dir": str(tmp_path / "runs"), "run_name": "study", "data_dir": str(mnist_data_dir),
                "seed": 3}
        return OptimizationConfig(**{**base, **overrides})

    return make


def test_three_trial_health_study_end_to_end(make_config, tmp_path):
    config = make_config(mode="health")
    result = nettune.optimize(config)

    assert sum(result.counts.values()) == 3 and result.counts["failed"] == 0
    assert result.best_trial is not None and result.best_test_accuracy > 0.8
    results = json.loads(result.results_path.read_text())
    assert yaml.safe_load((config.run_dir / "results.yaml").read_text()) == results
    assert [t["number"] for t in results["trials"]] == [0, 1, 2]
    best = results["best"]
    assert set(best["health_metrics"]) == set(METRIC_NAMES)
    assert all(0.0 <= v <= 1.0 for v in best["health_metrics"].values())
    w = config.health_weight
    assert best["total_score"] == pytest.approx((1 - w) * best["val_accuracy"] + w * best["health"], abs=1e-6)
    assert results["data"]["test_split"] and results["data"]["train"] > 1500
    # concurrent_workers left to auto: three tiny trials are a short study, so they ran in this process.
    assert results["worker_layout"]["workers"] == 1 and "short study" in results["worker_layout"]["reason"]

    # The optimized model is the best trial's own weights: evaluating it reproduces the recorded test accuracy.
    model = nettune.load_model(result.optimized_model_dir)
    data = load_dataset("mnist", data_fraction=FRACTION, seed=config.seed, data_dir=config.data_dir)
    assert evaluate(model, data.test, torch.device("cpu")).accuracy == pytest.approx(best["test_accuracy"])
    assert (result.optimized_model_dir / "health.json").exists()
    graph = json.loads((result.optimized_model_dir / "architecture.json").read_text())
    assert graph["model"]["total_params"] == best["param_count"] == sum(p.numel() for p in model.parameters())
    assert (result.optimized_model_dir / "model.onnx").exists()
    assert (result.optimized_model_dir / "plots" / "confusion_matrix.png").stat().st_size > 10_000
    assert (config.run_dir / "plots" / "optimization_history.html").exists()
    assert "trial 0 complete" in (config.run_dir / "nettune.log").read_text()
    assert "trial 2 " in (tmp_path / "logs" / "nettune.log").read_text()


def test_rerun_with_same_name_resumes(make_config):
    first = nettune.optimize(make_config(trials=2, max_epochs_per_trial=1))
    before = json.loads(first.results_path.read_text())["trials"]
    second = nettune.optimize(make_config(trials=3, max_epochs_per_trial=1))
    after = json.loads(second.results_path.read_text())["trials"]
    assert len(after) == 3
    assert [(t["number"], t["value"]) for t in after[:2]] == [(t["number"], t["value"]) for t in before]


def test_resume_refuses_a_different_study(make_config):
    from nettune.errors import ConfigError

    nettune.optimize(make_config(trials=1, max_epochs_per_trial=1))
    with pytest.raises(ConfigError, match="already holds a different study"):
        nettune.optimize(make_config(trials=2, max_epochs_per_trial=1, mode="simple"))


def test_failing_trial_is_recorded_and_study_goes_on(make_config, monkeypatch, caplog):
    import nettune.trials.run as run_module

    real_build, calls = run_module.build_model, []

    def build_or_fail(cfg):
        calls.append(cfg)
        if len(calls) == 2:
            raise MemoryError("simulated out of memory")
        return real_build(cfg)

    monkeypatch.setattr(run_module, "build_model", build_or_fail)
    with caplog.at_level(logging.INFO, logger="nettune"):
        result = nettune.optimize(make_config(trials=3, max_epochs_per_trial=1, warm_start=False))
    rows = json.loads(result.results_path.read_text())["trials"]
    assert [r["state"] for r in rows] == ["complete", "fail", "complete"]
    assert rows[1]["error"] == "MemoryError: simulated out of memory"
    assert result.counts == {"complete": 2, "pruned": 0, "failed": 1, "interrupted": 0}
    # The console (WARNING and up) gets one line per failed trial; the traceback goes to the run's log only.
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING and "simulated out of memory" in r.getMessage()]
    assert loud and all("\n" not in r.getMessage() and r.exc_info is None for r in loud)
    assert "Traceback" in (result.run_dir / "nettune.log").read_text()


def test_trial_left_running_by_a_crash_is_rerun(make_config):
    config = make_config(trials=2, max_epochs_per_trial=1)
    config.run_dir.mkdir(parents=True)
    study = optuna.create_study(study_name="study", storage=config.storage_url(), direction="maximize")
    study.ask()  # a trial that a killed orchestrator never finished
    result = nettune.optimize(config)
    rows = json.loads(result.results_path.read_text())["trials"]
    assert rows[0]["state"] == "interrupted"
    assert sum(r["state"] == "complete" for r in rows) == 2


def test_concurrent_workers_run_in_separate_processes(make_config):
    result = nettune.optimize(make_config(trials=2, concurrent_workers=2, max_epochs_per_trial=1, warm_start=False))
    rows = json.loads(result.results_path.read_text())["trials"]
    assert {r["worker"] for r in rows} == {"local-0", "local-1"}
    assert all(r["state"] == "complete" for r in rows)
    assert rows[0]["params"] != rows[1]["params"]  # constant liar keeps concurrent trials apart


def test_cancel_between_trials_leaves_the_study_interrupted(make_config):
    """A cancel that arrives while no trial runs must still read as 'stopped early', never as finished."""
    from nettune.progress.events import TrialFinished
    from nettune.training.cancel import CancelToken

    cancel = CancelToken()

    def cancel_after_first(event, progress):
        if isinstance(event, TrialFinished):
            cancel.cancel()

    config = make_config(trials=4, benchmark_trial_seconds=0.2, plot_generation="none")
    result = nettune.optimize(config, listener=cancel_after_first, cancel=cancel)
    assert result.interrupted and result.counts["complete"] == 1
    resumed = nettune.optimize(make_config(trials=4, benchmark_trial_seconds=0.2, plot_generation="none"))
    assert not resumed.interrupted and resumed.counts["complete"] == 4
