"""A real `nettune serve` killed with SIGKILL during a job: its job process dies with it, the restarted server
lists the job as INTERRUPTED with its completed trials, and resuming finishes the study."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from .conftest import free_port


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        children: list[str] = []
        for task in Path(f"/proc/{parent}/task").glob("*"):  # a child belongs to the thread that started it
            try:
                children += (task / "children").read_text().split()
            except OSError:
                continue
        for child in map(int, children):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; it only waits for its (new) parent to reap it


class Server:
    def __init__(self, home: Path, data_dir: Path) -> None:
        self.home, self.data_dir, self.port = home, data_dir, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if k != "NETTUNE_API_TOKEN"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "nettune.cli.main", "serve", "--port", str(self.port), "--output-dir",
             str(self.home / "runs"), "--data-dir", str(self.data_dir)],
            cwd=self.home, env=env, stdout=subprocess.DEVNULL, stderr=(self.home / "server.err").open("ab"))
        deadline = time.time() + 60
        while True:
            try:
                if httpx.get(f"{self.base}/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert self.process.poll() is None, (self.home / "server.err").read_text()
            assert time.time() < deadline, "server did not start"
            time.sleep(0.2)

    def get(self, path: str) -> dict:
        return httpx.get(f"{self.base}{path}", timeout=30).json()

    def wait(self, job_id: str, done: callable, timeout: float) -> dict:  # type: ignore[valid-type]
        deadline = time.time() + timeout
        while True:
            job = self.get(f"/jobs/{job_id}")
            if done(job):
                return job
            assert time.time() < deadline, job
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(30)


@pytest.fixture
def server(tmp_path, mnist_data_dir):
    server = Server(tmp_path, mnist_data_dir)
    yield server
    server.stop()


def test_killed_server_leaves_a_resumable_interrupted_job(server):
    server.start()
    body = {"dataset": "mnist", "trials": 3, "max_epochs_per_trial": 1, "data_fraction": 0.02,
            "benchmark_trial_seconds": 2.0, "plot_generation": "none", "run_name": "survivor"}
    job_id = httpx.post(f"{server.base}/optimize", json=body, timeout=30).json()["job_id"]
    server.wait(job_id, lambda job: job["progress"]["completed"] >= 1, timeout=90)
    workers = _descendants(server.process.pid)
    assert workers, "the job runs in a child process"

    server.process.kill()  # SIGKILL: no shutdown code runs
    server.process.wait(10)
    deadline = time.time() + 10
    while any(_alive(pid) for pid in workers):  # the job process notices and takes its workers with it
        assert time.time() < deadline, [pid for pid in workers if _alive(pid)]
        time.sleep(0.2)

    server.start()
    job = server.get(f"/jobs/{job_id}")
    assert job["state"] == "INTERRUPTED" and job["progress"]["completed"] >= 1
    trials = server.get(f"/jobs/{job_id}/trials")["trials"]
    completed_before = [t["number"] for t in trials if t["state"] == "COMPLETE"]
    assert completed_before and "RUNNING" not in {t["state"] for t in trials}
    assert "INTERRUPTED" in {t["state"] for t in trials}  # the trial that was running when the server died

    resumed = httpx.post(f"{server.base}/jobs/{job_id}/resume", timeout=30)
    assert resumed.status_code == 202
    job = server.wait(job_id, lambda job: job["state"] in ("COMPLETED", "FAILED"), timeout=120)
    assert job["state"] == "COMPLETED" and job["result"]["counts"]["complete"] == 3
    trials = server.get(f"/jobs/{job_id}/trials")["trials"]
    assert [t["number"] for t in trials if t["state"] == "COMPLETE"][: len(completed_before)] == completed_before
    log = (server.home / "logs" / "nettune.log").read_text()
    assert f"job {job_id} was left unfinished by an earlier server; marked INTERRUPTED" in log
