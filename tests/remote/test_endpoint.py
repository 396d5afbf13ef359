"""The self-hosted endpoint speaks RunPod's serverless protocol: job states, timings, progress, cancel,
retry, timeouts, purge, health and API keys, over real HTTP on loopback."""

import select
import socket
import time

import httpx
import pytest

from nettune.endpoint import EndpointServer
from nettune.worker.schema import ArtifactTarget, encode_input, remote_job
from tests.remote.conftest import fixed_job, pid_alive, wait_idle


def _input(tmp_path, number=0, seconds=0.4, epochs=2):
    return encode_input(remote_job(fixed_job(number, seconds, tmp_path, epochs)), ArtifactTarget())


def _wait_status(http, job_id, wanted, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = http.get(f"/status/{job_id}").json()
        if body["status"] in wanted:
            return body
        time.sleep(0.02)
    pytest.fail(f"job {job_id} never reached {wanted}; last: {body}")


@pytest.fixture
def http(quiet_endpoint):
    with httpx.Client(base_url=quiet_endpoint.url, timeout=30) as client:
        yield client


def test_run_status_progress_and_result(http, tmp_path):
    answer = http.post("/run", json={"input": _input(tmp_path, seconds=1.6, epochs=2)}).json()
    assert set(answer) == {"id", "status"} and answer["status"] == "IN_QUEUE"

    running = _wait_status(http, answer["id"], {"IN_PROGRESS"})
    assert running["workerId"].startswith("w") and running["executionTime"] >= 0
    # While IN_PROGRESS the output is the handler's latest progress report (once it has sent one).
    deadline = time.monotonic() + 10
    while "output" not in (body := http.get(f"/status/{answer['id']}").json()) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert body["status"] == "IN_PROGRESS" and body["output"]["trial"] == 0
    assert body["output"]["kind"] in ("trial_start", "epoch_progress")

    done = _wait_status(http, answer["id"], {"COMPLETED"})
    assert done["output"]["outcome"]["state"] == "complete"
    assert done["delayTime"] >= 0 and 1500 <= done["executionTime"] < 10_000
    assert done["output"]["bundle"]["kind"] == "inline"


def test_runsync_and_failed_jobs(http, tmp_path):
    done = http.post("/runsync", json={"input": _input(tmp_path, seconds=0.2)}).json()
    assert done["status"] == "COMPLETED" and done["output"]["outcome"]["state"] == "complete"

    bad = _input(tmp_path)
    bad["job"]["model_config"]["epochs"] = 0
    failed = http.post("/runsync", json={"input": bad}).json()
    assert failed["status"] == "FAILED" and "invalid job input" in failed["error"] and "output" not in failed
    health = http.get("/health").json()
    assert health["jobs"]["completed"] >= 1 and health["jobs"]["failed"] >= 1
    assert health["workers"]["idle"] + health["workers"]["running"] == 2


def test_cancel_stops_the_running_job_and_frees_its_worker(http, tmp_path, quiet_endpoint):
    job_id = http.post("/run", json={"input": _input(tmp_path, seconds=30, epochs=30)}).json()["id"]
    _wait_status(http, job_id, {"IN_PROGRESS"})
    assert http.post(f"/cancel/{job_id}").json() == {"id": job_id, "status": "CANCELLED"}
    assert http.get(f"/status/{job_id}").json()["status"] == "CANCELLED"
    wait_idle(quiet_endpoint, timeout=5)  # the worker stopped within one step, nothing left running
    assert http.get("/health").json()["jobs"]["inProgress"] == 0


def test_execution_timeout_then_retry_then_purge(http, tmp_path, quiet_endpoint):
    body = {"input": _input(tmp_path, seconds=60, epochs=6), "policy": {"executionTimeout": 5001}}
    job_id = http.post("/run", json=body).json()["id"]
    _wait_status(http, job_id, {"IN_PROGRESS"})
    pid = next(iter(quiet_endpoint.pool.busy_pids().values()))
    timed_out = _wait_status(http, job_id, {"TIMED_OUT"}, timeout=20)
    assert "executionTimeout" in timed_out["error"] and timed_out["executionTime"] >= 5000
    deadline = time.monotonic() + 5
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not pid_alive(pid), "the worker that ran past the timeout is stopped"

    assert http.post(f"/retry/{job_id}").json() == {"id": job_id, "status": "IN_QUEUE"}
    assert http.get("/health").json()["jobs"]["retried"] >= 1
    _wait_status(http, job_id, {"IN_PROGRESS"})
    assert http.post(f"/cancel/{job_id}").json()["status"] == "CANCELLED"
    retry_again = http.post(f"/retry/{job_id}")
    assert retry_again.status_code == 400 and "only FAILED or TIMED_OUT" in retry_again.json()["error"]

    # Two long jobs fill the workers; the rest wait in the queue until purged.
    wait_idle(quiet_endpoint)
    ids = [http.post("/run", json={"input": _input(tmp_path, n, seconds=30, epochs=30)}).json()["id"]
           for n in range(4)]
    for job in ids[:2]:
        _wait_status(http, job, {"IN_PROGRESS"})
    assert http.get("/health").json()["jobs"]["inQueue"] == 2
    assert http.post("/purge-queue").json() == {"removed": 2, "status": "completed"}
    assert [http.get(f"/status/{j}").json()["status"] for j in ids[2:]] == ["CANCELLED", "CANCELLED"]
    for job in ids[:2]:
        http.post(f"/cancel/{job}")
    wait_idle(quiet_endpoint, timeout=10)


def test_bad_requests_get_clear_errors(http):
    cases = [
        (http.post("/run", json={"prompt": "x"}), 400, 'with an "input" key'),
        (http.post("/run", content=b"{not json"), 400, "not JSON"),
        (http.post("/run", json={"input": {}, "policy": {"executionTimeout": 10}}), 400,
         "policy.executionTimeout must be milliseconds"),
        (http.post("/run", json={"input": {}, "webhook": "http://x"}), 400, "unsupported request field(s): webhook"),
        (http.get("/status/no-such-job"), 404, "job no-such-job not found"),
        (http.post("/cancel/no-such-job"), 404, "not found"),
    ]
    for response, code, text in cases:
        assert response.status_code == code and text in response.json()["error"]


def _raw_post(url: str, headers: dict[str, str], chunks) -> tuple[int, int]:
    """POST over a bare socket (an HTTP client would not send a body that contradicts its headers); stops
    sending as soon as the server answers. Returns the status and the bytes of body sent."""
    host, port = url.removeprefix("http://").split(":")
    sent = 0
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        conn.sendall(f"POST /run HTTP/1.1\r\nHost: {host}\r\n{head}\r\n".encode())
        for chunk in chunks:
            if select.select([conn], [], [], 0)[0]:
                break  # the answer is already there
            try:
                conn.sendall(chunk)
            except OSError:  # the server closed the connection after answering
                break
            sent += len(chunk)
        status = int(conn.recv(4096).split(b" ", 2)[1])
    return status, sent


def test_oversized_and_deeply_nested_bodies_are_refused_without_reading_them_whole(http, quiet_endpoint):
    nested = b'{"input": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    answer = http.post("/run", content=nested)
    assert answer.status_code == 400 and "nested deeper than" in answer.json()["error"]
    # A declared size over the limit is refused before a byte of the body is read.
    status, _ = _raw_post(quiet_endpoint.url, {"Content-Length": str(400 * 1024 * 1024)}, [])
    assert status == 413
    # No Content-Length (chunked): refused once the stream passes the limit, long before 400 MB.
    block = b" " * (1024 * 1024)
    chunked = (b"%x\r\n%s\r\n" % (len(block), block) for _ in range(400))
    status, sent = _raw_post(quiet_endpoint.url, {"Transfer-Encoding": "chunked"}, chunked)
    assert status == 413 and sent < 100 * 1024 * 1024
    assert http.get("/health").status_code == 200  # and the endpoint is fine


def test_api_key_is_required_when_configured():
    server = EndpointServer(port=0, concurrency=1, api_key="s3cret")
    url = server.start(wait_ready_s=None)  # authorization is checked before any worker is involved
    try:
        assert httpx.get(f"{url}/health").status_code == 401
        wrong = httpx.get(f"{url}/health", headers={"authorization": "Bearer nope"})
        assert wrong.status_code == 401 and "API key" in wrong.json()["error"]
        for header in ("Bearer s3cret", "s3cret"):  # RunPod accepts both forms
            assert httpx.get(f"{url}/health", headers={"authorization": header}).status_code == 200
    finally:
        server.stop()
