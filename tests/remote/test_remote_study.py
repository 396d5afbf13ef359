"""Studies whose trials run on the self-hosted endpoint: concurrency with distinct parameters, local fallback,
a worker killed mid-trial, user cancel, and identical metrics for the same config run locally and remotely."""

import dataclasses
import json
import os
import signal
import time

import boto3
import numpy as np
import optuna
import pytest
import torch

import nettune
from nettune.config import OptimizationConfig
from nettune.errors import NettuneError
from nettune.executors.factory import make_executor
from nettune.executors.remote import EndpointClient, RemoteExecutor, RemoteSettings
from nettune.progress.events import EpochProgress, Notice, TrialFinished, TrialStarted
from nettune.study.storage import make_sampler
from nettune.training.cancel import CancelToken
from nettune.trials.job import TrialJob
from nettune.trials.run import run_trial
from nettune.worker.schema import ArtifactTarget
from tests.conftest import closed_local_url
from tests.remote.conftest import BUCKET, run_to_finish, small_cnn, wait_idle


@pytest.fixture
def make_config(mnist_data_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def make(endpoint_url, **overrides):
        base = {"dataset": "mnist", "trials": 4, "max_epochs_per_trial": 3, "data_fraction": 0.02, "seed": 3,
                "output_dir": str(tmp_path / "runs"), "run_name": "remote", "data_dir": str(mnist_data_dir),
                "plot_generation": "none", "use_runpod_service": True, "runpod_endpoint": endpoint_url,
                "benchmark_trial_seconds": 0.6}
        return OptimizationConfig(**{**base, **overrides})

    return make


def _without_times(value):
    if isinstance(value, dict):
        return {k: _without_times(v) for k, v in value.items() if "seconds" not in k and not k.endswith("_s")}
    if isinstance(value, list):
        return [_without_times(v) for v in value]
    return value


class Recorder:
    def __init__(self, on_event=None):
        self.events, self.on_event = [], on_event

    def __call__(self, event, progress):
        self.events.append(event)
        if self.on_event:
            self.on_event(event, progress)

    def of(self, kind):
        return [e for e in self.events if isinstance(e, kind)]


def test_concurrent_remote_trials_get_different_parameters(quiet_endpoint, make_config):
    config = make_config(quiet_endpoint.url, trials=8, concurrent_workers=3)
    assert make_sampler(config)._constant_liar  # concurrent trials: Optuna's constant liar is on
    recorder = Recorder()
    result = nettune.optimize(config, listener=recorder)

    assert result.counts["complete"] == 8
    assert {e.outcome["worker"][:1] for e in recorder.of(TrialFinished)} == {"w"}  # every trial ran remotely
    assert all(e.worker.startswith("remote:w") for e in recorder.of(TrialStarted))
    trials = optuna.load_study(study_name="remote", storage=config.storage_url()).get_trials()
    # The trials in flight when each trial was asked for its parameters (itself included).
    in_flight = [[u for u in trials if u.datetime_start <= t.datetime_start < u.datetime_complete] for t in trials]
    assert max(len(group) for group in in_flight) == 3
    for group in in_flight:
        as_text = {repr(sorted(u.params.items())) for u in group}
        assert len(as_text) == len(group), "two trials in flight with the same parameters"
    assert (config.run_dir / "trials" / "0005" / "remote.json").exists()


def test_endpoint_down_at_start_falls_back_to_local(make_config):
    config = make_config(closed_local_url(), trials=2, benchmark_trial_seconds=0.2)
    recorder = Recorder()
    result = nettune.optimize(config, listener=recorder)

    assert result.counts["complete"] == 2
    assert {e.outcome["worker"] for e in recorder.of(TrialFinished)} == {"local-0"}
    notice = next(n.message for n in recorder.of(Notice) if n.level == "warning")
    assert "is unreachable" in notice and "training locally instead" in notice
    assert "WARNING" in (log := (config.run_dir / "nettune.log").read_text()) and "training locally instead" in log

    with pytest.raises(NettuneError, match=r"is unreachable .*set runpod_fallback_local=true"):
        make_executor(make_config(closed_local_url(), runpod_fallback_local=False))


def test_worker_killed_mid_trial_is_retried_once_then_recorded_failed(quiet_endpoint, make_config):
    killed = []

    def kill_trial_1(event, progress):
        if isinstance(event, EpochProgress) and event.trial == 1:
            with quiet_endpoint.store.lock:
                job_id = next(r.id for r in quiet_endpoint.store.running() if r.input["job"]["number"] == 1)
                pid = quiet_endpoint.pool.busy_pids()[job_id]
            if job_id not in killed:
                killed.append(job_id)
                os.kill(pid, signal.SIGKILL)

    recorder = Recorder(kill_trial_1)
    config = make_config(quiet_endpoint.url, trials=3, concurrent_workers=2, benchmark_trial_seconds=2.0)
    result = nettune.optimize(config, listener=recorder)

    assert len(killed) == 2  # the first attempt and its one retry
    assert result.counts == {"complete": 2, "pruned": 0, "failed": 1, "interrupted": 0}
    failed = next(e.outcome for e in recorder.of(TrialFinished) if e.trial == 1)
    assert failed["state"] == "failed" and "worker process died (exit code -9)" in failed["error"]
    assert "after one retry" in failed["error"]
    assert any("trial 1: remote job FAILED" in n.message and "retrying it once" in n.message
               for n in recorder.of(Notice))
    wait_idle(quiet_endpoint, timeout=60)  # both killed workers were replaced


def test_user_cancel_cancels_remote_jobs_and_leaves_nothing_running(quiet_endpoint, make_config):
    cancel = CancelToken()

    def cancel_when_two_run(event, progress):
        if isinstance(event, TrialStarted) and len(progress.running) == 2:
            cancel.cancel()

    config = make_config(quiet_endpoint.url, trials=4, concurrent_workers=2, benchmark_trial_seconds=8.0,
                         max_epochs_per_trial=6)
    started, since = time.monotonic(), time.time()
    result = nettune.optimize(config, listener=Recorder(cancel_when_two_run), cancel=cancel)

    assert result.interrupted and time.monotonic() - started < 8.0
    with quiet_endpoint.store.lock:
        states = [r.status for r in quiet_endpoint.store._jobs.values() if r.submitted >= since]
    assert states == ["CANCELLED", "CANCELLED"]
    wait_idle(quiet_endpoint, timeout=5)  # the workers stopped their trials: nothing left running
    assert quiet_endpoint.store.job_counts()["inProgress"] == 0


def test_same_config_locally_and_on_the_endpoint_gives_identical_metrics(quiet_endpoint, s3_server,
                                                                         mnist_data_dir, tmp_path):
    # Two epochs on 10% of MNIST: long enough (seconds) that the client's polls see progress before the end.
    job = TrialJob(number=0, model_config=small_cnn(epochs=2), dataset="mnist", data_fraction=0.1, data_seed=0,
                   seed=11, mode="health", health_weight=0.3, trial_dir=str(tmp_path / "local" / "0000"),
                   data_dir=str(mnist_data_dir), plot_generation="none")
    threads = torch.get_num_threads()
    torch.set_num_threads(quiet_endpoint.pool.threads)  # the same CPU arithmetic as an endpoint worker
    try:
        local = run_trial(job, emit=lambda e: None).to_dict()
    finally:
        torch.set_num_threads(threads)

    settings = RemoteSettings(artifacts=ArtifactTarget(store=f"s3://{BUCKET}/runs/identical", endpoint_url=s3_server),
                              s3_endpoint_url=s3_server, poll_max_s=0.25)  # often enough to see every epoch
    executor = RemoteExecutor(EndpointClient(quiet_endpoint.url), 1, settings)
    remote_dir = tmp_path / "remote" / "0000"
    events = run_to_finish(executor, dataclasses.replace(job, trial_dir=str(remote_dir)), timeout_s=120, poll_s=0.5)
    remote = next(e.outcome for e in events if isinstance(e, TrialFinished))

    assert remote["state"] == local["state"] == "complete"
    def measured(outcome):  # everything but wall-clock times
        return {key: _without_times(outcome[key]) for key in ("value", "metrics", "health", "history", "param_count")}

    assert measured(remote) == measured(local)
    assert remote["trial_dir"] == str(remote_dir) and remote["worker"].startswith("w")
    # The trained weights came back through S3, verified, and are the local ones bit for bit.
    weights = torch.load(tmp_path / "local" / "0000" / "model.pt")
    remote_weights = torch.load(remote_dir / "model.pt")
    assert set(weights) == set(remote_weights) and all(torch.equal(weights[k], remote_weights[k]) for k in weights)
    assert (remote_dir / "health.json").read_text() == (tmp_path / "local" / "0000" / "health.json").read_text()
    progress = [e for e in events if isinstance(e, EpochProgress)]
    # Polling sees the latest progress at each poll (not every update, and maybe not the last one before the end).
    assert progress and all(0 < e.fraction <= 1 and e.epoch in (1, 2) for e in progress)
    assert [(e.epoch, e.fraction) for e in progress] == sorted((e.epoch, e.fraction) for e in progress)
    # Layer stats ride along: each poll after an epoch's end carries that epoch's entry (checked on arrival), the
    # same as the local run's, and the replay file came back in the bundle.
    saved = (tmp_path / "local" / "0000" / "layer_stats.json").read_text()
    local_stats = json.loads(saved)["epochs"]
    assert (remote_dir / "layer_stats.json").read_text() == saved
    carried = [e for e in progress if e.layers is not None]
    assert carried and all(e.layers == local_stats[e.layers["epoch"] - 1] for e in carried)
    assert all(e.layers["epoch"] in (e.epoch, e.epoch - 1) for e in carried)


def _photo_folder(root):
    from PIL import Image

    rng = np.random.default_rng(0)
    for c, name in enumerate(("dark", "bright")):
        (root / name).mkdir(parents=True)
        for i in range(30):
            pixels = (rng.random((10, 10)) * 60 + 150 * c).astype(np.uint8)
            Image.fromarray(pixels, mode="L").save(root / name / f"{i}.png")
    return root


def test_a_remote_study_on_your_own_images_ships_them_once_through_s3(quiet_endpoint, s3_server, mnist_data_dir,
                                                                      make_config, tmp_path):
    photos = _photo_folder(tmp_path / "photos")
    config = make_config(quiet_endpoint.url, dataset=str(photos), data_dir=str(tmp_path / "orchestrator-data"),
                         data_fraction=1.0, trials=2, max_epochs_per_trial=1, benchmark_trial_seconds=None,
                         artifact_store=f"s3://{BUCKET}/custom", s3_endpoint_url=s3_server, runpod_fallback_local=False)
    result = nettune.optimize(config)
    assert result.counts["complete"] == 2 and result.best_test_accuracy > 0.9
    ref = json.loads(result.results_path.read_text())["data"]["custom"]["ref"]
    key = ref.removeprefix("custom:")
    # Shipped once, by content key; the endpoint's workers installed it in their own cache and trained on it.
    objects = boto3.client("s3", endpoint_url=s3_server).list_objects_v2(Bucket=BUCKET, Prefix="custom/remote/")
    names = [o["Key"] for o in objects.get("Contents", [])]
    assert names.count(f"custom/remote/datasets/{key}.zip") == 1
    assert (mnist_data_dir / "custom" / key / "dataset.json").is_file()
    assert all(t["worker"].startswith("w") for t in json.loads(result.results_path.read_text())["trials"])


def test_without_a_store_your_own_small_dataset_travels_inline(quiet_endpoint, mnist_data_dir, make_config, tmp_path,
                                                                monkeypatch):
    photos = _photo_folder(tmp_path / "inline-photos")
    (photos / "bright" / "extra.png").write_bytes((photos / "bright" / "0.png").read_bytes())  # new content: new key
    config = make_config(quiet_endpoint.url, dataset=str(photos), data_dir=str(tmp_path / "orchestrator-data"),
                         data_fraction=1.0, trials=2, max_epochs_per_trial=1, benchmark_trial_seconds=None,
                         runpod_fallback_local=False, run_name="inline")
    result = nettune.optimize(config)
    assert result.counts["complete"] == 2
    recorded = json.loads(result.results_path.read_text())
    key = recorded["data"]["custom"]["ref"].removeprefix("custom:")
    assert all(t["worker"].startswith("w") for t in recorded["trials"])  # trained on the endpoint's workers
    assert (mnist_data_dir / "custom" / key / "dataset.json").is_file()  # installed from the job input

    from nettune.artifacts import datasets as shipping

    monkeypatch.setattr(shipping, "MAX_INLINE_DATASET_CHARS", 100)  # as if the dataset were large
    with pytest.raises(NettuneError, match=r"over the .* MB a job can carry inline; set artifact_store=s3://"):
        nettune.optimize(dataclasses.replace(config, run_name="too-big"))
