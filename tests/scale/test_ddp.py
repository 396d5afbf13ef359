"""DistributedDataParallel on CPU (gloo): two processes train one trial like one process does.

Tolerances (docs/scaling.md): without batch norm and dropout the two runs compute the same gradients up to
floating-point summation order, so metrics agree to 1e-3; with them, batch statistics and dropout masks are
per device, and accuracies agree within 3 points."""

from __future__ import annotations

import json
import os
import signal
import subprocess

import pytest
import torch

import nettune
from nettune.config import OptimizationConfig
from nettune.data import load_dataset
from nettune.errors import ConfigError
from nettune.progress.events import EpochProgress
from nettune.space.model_config import ModelConfig
from nettune.training.distributed import DataParallel, data_parallel_devices
from nettune.training.evaluate import evaluate
from nettune.trials.job import TrialJob
from nettune.trials.run import run_trial

FRACTION = 0.02


def _job(tmp_path, data_dir, devices: tuple[str, ...], **model) -> TrialJob:
    cfg = ModelConfig(**{"family": "cnn", "dataset": "mnist", "input_shape": (1, 28, 28), "num_classes": 10,
                         "filters": (8, 16), "dense_units": 32, "batch_size": 64, "epochs": 2,
                         "learning_rate": 3e-3, **model})
    return TrialJob(number=0, model_config=cfg, dataset="mnist", data_fraction=FRACTION, data_seed=3, seed=7,
                    mode="health", health_weight=0.3, trial_dir=str(tmp_path / f"trial_{len(devices)}"),
                    data_dir=str(data_dir), plot_generation="none", device="cpu", devices=devices)


def _pair(tmp_path, data_dir, **model) -> tuple[dict, dict]:
    single = run_trial(_job(tmp_path, data_dir, (), **model), lambda e: None)
    double = run_trial(_job(tmp_path, data_dir, ("cpu", "cpu"), **model), lambda e: None)
    assert single.state == double.state == "complete", (single.error, double.error)
    return single.metrics, double.metrics


def test_parts_cover_every_batch_with_weights_that_sum_to_one():
    ranks = [DataParallel(rank, 3, torch.device("cpu")) for rank in range(3)]
    batch = torch.arange(10)
    parts = [r.part(batch) for r in ranks]
    assert torch.equal(torch.cat(parts), batch) and [len(p) for p in parts] == [4, 3, 3]
    assert sum(r._share for r in ranks) == pytest.approx(1.0)
    # A last batch of one sample: every rank still takes part, and the weights still sum to one.
    tiny = [r.part(torch.tensor([5])) for r in ranks]
    assert all(p.tolist() == [5] for p in tiny) and sum(r._share for r in ranks) == pytest.approx(1.0)


def test_two_gloo_processes_match_one_process(tmp_path, mnist_data_dir):
    one, two = _pair(tmp_path, mnist_data_dir, batch_norm=False, dropout=0.0)
    for key in ("val_accuracy", "test_accuracy", "train_accuracy"):
        assert two[key] == pytest.approx(one[key], abs=1e-3), key
    assert two["val_loss"] == pytest.approx(one["val_loss"], rel=1e-3)
    assert two["epochs_run"] == one["epochs_run"] == 2

    # Rank 0 wrote the trial's files as usual; its saved model reproduces the recorded test accuracy.
    trial_dir = tmp_path / "trial_2"
    assert json.loads((trial_dir / "job.json").read_text())["devices"] == ["cpu", "cpu"]
    model = nettune.load_model(trial_dir)
    data = load_dataset("mnist", data_fraction=FRACTION, seed=3, data_dir=mnist_data_dir)
    assert evaluate(model, data.test, torch.device("cpu")).accuracy == pytest.approx(two["test_accuracy"])
    assert json.loads((trial_dir / "health.json").read_text())["overall"] > 0


def test_batch_norm_and_dropout_stay_within_the_documented_tolerance(tmp_path, mnist_data_dir):
    one, two = _pair(tmp_path, mnist_data_dir, batch_norm=True, dropout=0.25, epochs=1)
    for key in ("val_accuracy", "test_accuracy"):
        assert two[key] == pytest.approx(one[key], abs=0.03), key


def test_a_helper_that_dies_fails_the_trial_with_a_clear_reason(tmp_path, mnist_data_dir):
    killed: list[int] = []

    def kill_helper_once_training(event: object) -> None:
        if isinstance(event, EpochProgress) and not killed:
            helpers = subprocess.run(["pgrep", "-P", str(os.getpid()), "-f", "nettune.training.distributed"],
                                     capture_output=True, text=True).stdout.split()
            killed.extend(int(pid) for pid in helpers)
            for pid in killed:
                os.kill(pid, signal.SIGKILL)

    outcome = run_trial(_job(tmp_path, mnist_data_dir, ("cpu", "cpu"), epochs=3), kill_helper_once_training)
    assert len(killed) == 1
    assert outcome.state == "failed" and "data-parallel training stopped: rank 1 exited with code -9" in outcome.error


def test_gpus_per_worker_runs_the_study_trials_with_ddp(tmp_path, mnist_data_dir, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = OptimizationConfig(dataset="mnist", data_fraction=FRACTION, data_dir=str(mnist_data_dir), trials=1,
                                max_epochs_per_trial=1, mode="simple", output_dir=str(tmp_path / "runs"),
                                run_name="ddp", device="cpu", gpus_per_worker=2, plot_generation="none")
    result = nettune.optimize(config)
    assert result.counts["complete"] == 1
    job = json.loads((config.run_dir / "trials" / "0000" / "job.json").read_text())
    # The job asks for two devices of its kind and names none: the machine that runs it resolves them.
    assert job["parallel"] == 2 and job["devices"] == []
    assert TrialJob.from_dict(job).resolved_devices() == ("cpu", "cpu")


def test_device_choice():
    assert data_parallel_devices("cpu", 1) == ()
    assert data_parallel_devices("cpu", 3) == ("cpu", "cpu", "cpu")
    if not torch.cuda.is_available():
        assert data_parallel_devices("auto", 2) == ("cpu", "cpu")  # no CUDA here: gloo processes
        with pytest.raises(ConfigError, match="gpus_per_worker=2 but only 0 CUDA device"):
            data_parallel_devices("cuda", 2)
