"""Real servers on loopback for the remote tests: one self-hosted endpoint (2 worker processes) and one
S3-compatible server (moto in server mode), each started once for this package."""

from __future__ import annotations

import os
import time

import boto3
import pytest

from nettune.endpoint import EndpointServer
from nettune.executors.remote import RemoteExecutor
from nettune.progress.events import Event, TrialFinished
from nettune.space.model_config import ModelConfig
from nettune.trials.job import TrialJob
from tests.conftest import SOURCE_ENVS, closed_local_url

BUCKET = "nettune-test"


@pytest.fixture(scope="package")
def s3_server():
    """A real S3 API on 127.0.0.1 (moto server mode) with a bucket; its URL is the endpoint_url."""
    from moto.server import ThreadedMotoServer

    with pytest.MonkeyPatch.context() as env:
        for key, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                           ("AWS_DEFAULT_REGION", "us-east-1")):
            env.setenv(key, value)
        env.delenv("AWS_PROFILE", raising=False)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        boto3.client("s3", endpoint_url=url).create_bucket(Bucket=BUCKET)
        try:
            yield url
        finally:
            server.stop()


@pytest.fixture(scope="package")
def endpoint(s3_server, mnist_data_dir, tmp_path_factory):
    """`nettune worker serve`'s server with 2 worker processes; workers find MNIST in $NETTUNE_DATA_DIR and
    S3 credentials in their environment, and no dataset source outside loopback."""
    with pytest.MonkeyPatch.context() as env:  # kept for the package: replacement workers inherit it too
        env.setenv("NETTUNE_DATA_DIR", str(mnist_data_dir))
        for name in SOURCE_ENVS:
            env.setenv(name, closed_local_url())
        server = EndpointServer(port=0, concurrency=2, scratch=tmp_path_factory.mktemp("scratch"))
        server.start()
        try:
            yield server
        finally:
            server.stop()


def wait_idle(server: EndpointServer, timeout: float = 30.0) -> None:
    """Until every worker is ready and no job runs: tests start from a quiet endpoint."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        counts = server.pool.worker_counts()
        if counts["idle"] == server.pool.concurrency:
            return
        time.sleep(0.05)
    pytest.fail(f"endpoint workers not idle after {timeout}s: {server.pool.worker_counts()}")


def small_cnn(epochs: int = 2) -> ModelConfig:
    return ModelConfig(family="cnn", dataset="mnist", input_shape=(1, 28, 28), num_classes=10, filters=(8,),
                       dense_units=16, batch_size=32, epochs=epochs)


def fixed_job(number: int, seconds: float, tmp_path, epochs: int = 2) -> TrialJob:
    """A benchmark trial (sleeps `seconds`, reports progress) that goes through every real component."""
    return TrialJob(number=number, model_config=small_cnn(epochs), dataset="mnist", data_fraction=0.02, data_seed=0,
                    seed=number, mode="simple", health_weight=0.3, trial_dir=str(tmp_path / f"{number:04d}"),
                    plot_generation="none", fixed_duration_s=seconds)


@pytest.fixture
def quiet_endpoint(endpoint):
    wait_idle(endpoint)
    return endpoint


def run_to_finish(executor: RemoteExecutor, job: TrialJob, timeout_s: float, poll_s: float) -> list[Event]:
    """Submit one job and collect the executor's events until its TrialFinished (or the timeout); closes it."""
    try:
        executor.submit(job)
        events: list[Event] = []
        deadline = time.monotonic() + timeout_s
        while not any(isinstance(e, TrialFinished) for e in events) and time.monotonic() < deadline:
            events += executor.events(timeout=poll_s)
    finally:
        executor.close()
    return events


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
