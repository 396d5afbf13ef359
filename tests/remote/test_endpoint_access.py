"""Keys go only to their own kind of endpoint, never over plain HTTP off loopback, and an API server sends
trials only to endpoints its operator allowed. A real listener on 127.0.0.1 records what it is sent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from nettune.cli.serve_cmd import parse_settings
from nettune.config import OptimizationConfig
from nettune.errors import ConfigError
from nettune.executors.factory import make_executor
from nettune.executors.remote import RemoteError
from nettune.executors.remote.access import api_key_for, check_transport
from tests.api.conftest import FAST_JOB, make_settings, running_client, wait_for
from tests.remote.loopback_http import LoopbackServer, QuietHandler

RUNPOD_SECRET = "rp-server-secret-0123"
WORKER_KEY = "worker-key-4567"
REPLY_SECRET = "REPLY-BODY-SECRET"


class Listener(LoopbackServer):
    """Answers 401 with a body nobody should get to read, and records every request."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str | None]] = []
        listener = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                listener.requests.append((self.path, self.headers.get("authorization")))
                self.answer(401, {"error": REPLY_SECRET})

            do_POST = do_GET

        super().__init__(Handler)


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


@pytest.fixture
def both_keys(monkeypatch):
    monkeypatch.setenv("RUNPOD_API_KEY", RUNPOD_SECRET)
    monkeypatch.setenv("NETTUNE_WORKER_API_KEY", WORKER_KEY)


def test_each_key_goes_only_to_its_own_kind_of_endpoint():
    env = {"RUNPOD_API_KEY": "rp", "NETTUNE_WORKER_API_KEY": "wk"}
    assert api_key_for("https://api.runpod.ai/v2/abc", env) == "rp"
    assert api_key_for("http://127.0.0.1:8001", env) == "wk"
    # A look-alike host is not RunPod, and plain http to RunPod's host is not RunPod either.
    assert api_key_for("https://api.runpod.ai.evil.example/v2/abc", env) == "wk"
    assert api_key_for("http://api.runpod.ai/v2/abc", env) == "wk"
    assert api_key_for("http://127.0.0.1:8001", {"RUNPOD_API_KEY": "rp"}) is None


def test_plain_http_off_loopback_is_refused_before_any_connection():
    with pytest.raises(ConfigError, match="plain http off this machine"):
        check_transport("http://gpu-box:8001")
    for fine in ("http://127.0.0.1:8001", "http://localhost:8001", "http://[::1]:8001", "https://gpu-box:8001"):
        check_transport(fine)
    config = OptimizationConfig(use_runpod_service=True, runpod_endpoint="http://10.1.2.3:8001")
    with pytest.raises(ConfigError, match="plain http"):
        make_executor(config)
    with pytest.raises(ConfigError, match="plain http"):
        parse_settings(["--allow-endpoint", "http://gpu-box:8001"]).validate()


def test_cli_sends_the_worker_key_never_the_runpod_key_and_does_not_echo_the_reply(listener, both_keys):
    config = OptimizationConfig(use_runpod_service=True, runpod_endpoint=listener.url, runpod_fallback_local=False)
    with pytest.raises(RemoteError) as refused:
        make_executor(config)
    message = str(refused.value)
    assert "401" in message and "NETTUNE_WORKER_API_KEY" in message
    assert REPLY_SECRET not in message
    assert listener.requests, "the endpoint was never contacted"
    assert {auth for _, auth in listener.requests} == {f"Bearer {WORKER_KEY}"}


def test_cli_sends_no_key_to_a_self_hosted_endpoint_when_only_the_runpod_key_is_set(listener, monkeypatch):
    monkeypatch.setenv("RUNPOD_API_KEY", RUNPOD_SECRET)
    monkeypatch.delenv("NETTUNE_WORKER_API_KEY", raising=False)
    config = OptimizationConfig(use_runpod_service=True, runpod_endpoint=listener.url, runpod_fallback_local=False)
    with pytest.raises(RemoteError):
        make_executor(config)
    assert listener.requests and all(auth is None for _, auth in listener.requests)


def test_api_refuses_endpoints_its_operator_did_not_allow(tmp_path, listener, both_keys, mnist_data_dir):
    with running_client(make_settings(tmp_path, mnist_data_dir)) as client:
        answer = client.post("/optimize", json={**FAST_JOB, "use_runpod_service": True,
                                                "runpod_endpoint": f"{listener.url}/anything"})
    assert answer.status_code == 422, answer.text
    assert "--allow-endpoint" in answer.json()["detail"]
    assert listener.requests == []


def test_api_job_on_an_allowed_endpoint_sends_only_the_worker_key_and_hides_the_reply(tmp_path, listener, both_keys,
                                                                                     mnist_data_dir):
    settings = make_settings(tmp_path, mnist_data_dir, allowed_endpoints=(listener.url,))
    with running_client(settings) as client:
        answer = client.post("/optimize", json={**FAST_JOB, "use_runpod_service": True,
                                                "runpod_endpoint": listener.url, "runpod_fallback_local": False})
        assert answer.status_code == 202, answer.text
        job = wait_for(client, answer.json()["job_id"], ("FAILED", "COMPLETED"))
    assert job["state"] == "FAILED"
    assert "401" in job["error"] and REPLY_SECRET not in job["error"]
    assert listener.requests
    assert {auth for _, auth in listener.requests} == {f"Bearer {WORKER_KEY}"}
