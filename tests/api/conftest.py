"""Fixtures for the API tests: real servers (in-process via TestClient, or uvicorn on 127.0.0.1), real jobs in
their own processes on genuine MNIST, fixed-length trials where training is not the point."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from nettune.api.app import create_app
from nettune.api.settings import ApiSettings

# Fixed-length trials: each waits `benchmark_trial_seconds` instead of training, but runs through the real study
# loop, executor, storage and event path. 2% of MNIST keeps the job's data loading short.
FAST_JOB: dict[str, Any] = {"dataset": "mnist", "trials": 3, "max_epochs_per_trial": 1, "data_fraction": 0.02,
                            "benchmark_trial_seconds": 0.3, "plot_generation": "none"}
TOKEN = "test-token-0123456789"


def make_settings(home: Path, data_dir: Path | None, **overrides: Any) -> ApiSettings:
    values: dict[str, Any] = {"output_dir": home / "runs", "workdir": home, "data_dir": data_dir, "max_trials": 10,
                              "max_epochs_per_trial": 3, "max_concurrent_workers": 2, "shutdown_grace_s": 5.0}
    return ApiSettings(**{**values, **overrides})


class LoopbackClient(TestClient):
    """Requests and WebSockets with a loopback Host, as a browser or script on this machine sends them: a
    tokenless server answers no other (Starlette's own default host is 'testserver')."""

    def __init__(self, app: FastAPI) -> None:
        super().__init__(app, base_url="http://127.0.0.1")

    def websocket_connect(self, url: str, *args: Any, **kwargs: Any) -> Any:
        return super().websocket_connect(f"ws://127.0.0.1{url}" if url.startswith("/") else url, *args, **kwargs)


@contextmanager
def running_client(settings: ApiSettings) -> Iterator[TestClient]:
    with LoopbackClient(create_app(settings)) as client:
        yield client


def wait_for(client: TestClient, job_id: str, states: tuple[str, ...], timeout: float = 90.0,
             headers: dict[str, str] | None = None) -> dict[str, Any]:
    deadline = time.time() + timeout
    while True:
        job = client.get(f"/jobs/{job_id}", headers=headers).json()
        if job["state"] in states:
            return job
        if time.time() > deadline:
            raise AssertionError(f"job {job_id} still {job['state']} after {timeout}s (waiting for {states}): {job}")
        time.sleep(0.1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def uvicorn_server(app: FastAPI) -> Iterator[str]:
    """The app on a real HTTP server on 127.0.0.1 in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started:
        if time.time() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


@pytest.fixture(scope="module")
def api_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("api")
