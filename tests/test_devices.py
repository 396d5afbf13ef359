"""Devices are resolved where trials run, and concurrent trials get their own GPUs: on a simulated multi-GPU host
(torch's device count patched), for local runs, remote jobs and the endpoint's worker processes."""

from __future__ import annotations

import pytest
import torch

from nettune.config import OptimizationConfig
from nettune.endpoint.pool import endpoint_gpu_groups
from nettune.errors import ConfigError, NettuneError
from nettune.executors.factory import make_executor
from nettune.executors.gpu_groups import gpu_groups, visible_devices_env
from nettune.executors.layout import choose_layout
from nettune.executors.placement import Placement, local_placements
from nettune.executors.remote.dotenv import read_dotenv
from nettune.space.model_config import ModelConfig
from nettune.trials.job import TrialJob
from nettune.worker.schema import ArtifactTarget, decode_input, encode_input
from tests.conftest import closed_local_url


@pytest.fixture
def gpus(monkeypatch):
    def simulate(count: int) -> None:
        monkeypatch.setattr(torch.cuda, "is_available", lambda: count > 0)
        monkeypatch.setattr(torch.cuda, "device_count", lambda: count)

    return simulate


def _job(**overrides) -> TrialJob:
    cfg = ModelConfig(family="cnn", dataset="mnist", input_shape=(1, 28, 28), num_classes=10, filters=(8,),
                      dense_units=16, batch_size=32, epochs=1)
    return TrialJob(number=1, model_config=cfg, dataset="mnist", data_fraction=0.1, data_seed=0, seed=1, mode="simple",
                    health_weight=0.3, trial_dir="0001", **overrides)


def test_a_cpu_orchestrator_sends_what_the_trial_wants_and_the_gpu_worker_resolves_it(gpus):
    gpus(0)  # the laptop: no CUDA
    job = _job(device="auto", parallel=2)
    assert job.resolved_devices() == ("cpu", "cpu")  # here it would be two gloo processes...
    wire = encode_input(job, ArtifactTarget())
    assert wire["job"]["parallel"] == 2 and wire["job"]["devices"] == []  # nothing resolved on the laptop
    gpus(2)  # ...the worker that receives the job has two GPUs
    received = decode_input(wire).job
    assert received.resolved_devices() == ("cuda:0", "cuda:1")
    gpus(1)
    with pytest.raises(ConfigError, match="gpus_per_worker=2 but only 1 CUDA device"):
        received.resolved_devices()


def test_local_trials_get_one_gpu_each_then_share(gpus):
    gpus(4)
    assert local_placements("auto", 4, 1) == [Placement(f"cuda:{i}") for i in range(4)]
    assert [p.device for p in local_placements("cuda", 6, 1)] == ["cuda:0", "cuda:1", "cuda:2", "cuda:3",
                                                                   "cuda:0", "cuda:1"]
    assert local_placements("auto", 2, 2) == [Placement("cuda:0", ("cuda:0", "cuda:1")),
                                              Placement("cuda:2", ("cuda:2", "cuda:3"))]
    assert local_placements("cpu", 2, 1) is None and local_placements("cuda:1", 2, 1) is None  # pinned: as asked
    gpus(1)
    assert local_placements("auto", 2, 1) is None  # one GPU: every trial on it


def test_the_executor_places_each_trial_on_its_gpu(gpus):
    gpus(4)
    executor = make_executor(OptimizationConfig(dataset="mnist", concurrent_workers=4))
    try:
        assert [p.device for p in executor._placements] == ["cuda:0", "cuda:1", "cuda:2", "cuda:3"]
    finally:
        executor.close()


def test_auto_runs_one_trial_per_gpu(gpus, image_data):
    gpus(4)
    chosen = choose_layout(OptimizationConfig(dataset="mnist", trials=10), image_data, cores=16)
    assert (chosen.workers, chosen.threads) == (4, 4) and chosen.reason == "one trial per 1 of 4 visible GPU(s)"
    chosen = choose_layout(OptimizationConfig(dataset="mnist", trials=10, gpus_per_worker=2), image_data, cores=16)
    assert chosen.workers == 2


def test_endpoint_workers_split_the_gpus(gpus):
    gpus(4)
    assert endpoint_gpu_groups(2) == [(0, 1), (2, 3)]  # a DDP job fits in each worker's share
    assert endpoint_gpu_groups(4) == [(0,), (1,), (2,), (3,)]
    assert endpoint_gpu_groups(6) == [(0,), (1,), (2,), (3,), (0,), (1,)]
    gpus(0)
    assert endpoint_gpu_groups(2) == [(), ()]
    assert visible_devices_env((1,), "4,6") == "6"  # indices into what the server itself sees
    assert visible_devices_env((0, 1), None) == "0,1"
    with pytest.raises(ConfigError, match="gpus_per_worker=3 but only 2"):
        gpu_groups(2, 1, 3)


def test_the_endpoint_comes_from_runpod_endpoint_or_dotenv(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = OptimizationConfig(dataset="mnist", use_runpod_service=True, runpod_fallback_local=False)
    with pytest.raises(ConfigError, match=r"needs runpod_endpoint=.*or RUNPOD_ENDPOINT"):
        make_executor(config)
    url = closed_local_url()
    (tmp_path / ".env").write_text(f"# the GPU box\nexport RUNPOD_ENDPOINT='{url}'\nWORKER_KEY=x  # comment\n")
    with pytest.raises(NettuneError, match=f"endpoint {url} is unreachable"):
        make_executor(config)
    other = closed_local_url()
    monkeypatch.setenv("RUNPOD_ENDPOINT", other)  # the environment wins over .env
    with pytest.raises(NettuneError, match=f"endpoint {other} is unreachable"):
        make_executor(config)
    assert read_dotenv(tmp_path / ".env") == {"RUNPOD_ENDPOINT": url, "WORKER_KEY": "x"}
