"""`nettune worker serve` as a user runs it: a real process, a real port, a clean Ctrl-C."""

import re
import signal
import subprocess
import sys
import time

import httpx
import psutil
import pytest

from nettune.cli.main import main
from nettune.worker.schema import ArtifactTarget, encode_input, remote_job
from tests.remote.conftest import fixed_job


def test_serve_runs_jobs_and_stops_its_workers_on_ctrl_c(tmp_path):
    process = subprocess.Popen([sys.executable, "-m", "nettune.cli.main", "worker", "serve", "--port", "0",
                                "--concurrency", "1"], stderr=subprocess.PIPE, text=True)
    try:
        url = None
        for _ in range(5):
            line = process.stderr.readline()
            if match := re.search(r"listening on (http://\S+)", line):
                url = match.group(1)
                break
        assert url, "the server did not say where it listens"
        deadline = time.monotonic() + 60
        while httpx.get(f"{url}/health").json()["workers"]["idle"] != 1:
            assert time.monotonic() < deadline, "the worker process did not start"
            time.sleep(0.1)
        workers = psutil.Process(process.pid).children(recursive=True)
        job = encode_input(remote_job(fixed_job(0, 0.2, tmp_path)), ArtifactTarget())
        done = httpx.post(f"{url}/runsync", json={"input": job}, timeout=60).json()
        assert done["status"] == "COMPLETED" and done["output"]["outcome"]["state"] == "complete"

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        _, alive = psutil.wait_procs(workers, timeout=10)
        assert not alive, f"worker processes left running: {alive}"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize(("args", "message"), [
    (["--host", "0.0.0.0"], "refusing to serve on 0.0.0.0 without an API key"),
    (["--port", "http"], "argument --port: invalid int value: 'http'"),
    (["--concurrency", "0"], "--concurrency 0 is out of range"),
    (["--workers", "2"], "unknown argument(s) for 'nettune worker serve': --workers 2"),
])
def test_bad_serve_options_are_one_line_errors(args, message, capsys):
    assert main(["worker", "serve", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
