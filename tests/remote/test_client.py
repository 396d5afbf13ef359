"""The endpoint client against tiny real HTTP servers on loopback: 429 with Retry-After, 5xx, bad keys,
an endpoint that is down, and the pieces that pace it (backoff, rate limiter, breaker, adaptive polling)."""

import json
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from nettune.errors import ConfigError
from nettune.executors.remote.client import EndpointClient, EndpointUnavailable, RemoteError, resolve_endpoint
from nettune.executors.remote.limits import CircuitBreaker, RateLimiter
from nettune.executors.remote.polling import AdaptivePoller
from nettune.executors.remote.retry import RetryPolicy, retry_after_seconds
from tests.conftest import closed_local_url


class Scripted:
    """An HTTP server answering each request with the next (status, headers, body) of a script (the last repeats)."""

    def __init__(self, script):
        self.script, self.times = script, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("content-length") or 0)
                self.rfile.read(length)
                outer.times.append(time.monotonic())
                status, headers, body = outer.script[min(len(outer.times), len(outer.script)) - 1]
                data = json.dumps(body).encode()
                self.send_response(status)
                for key, value in {**headers, "content-type": "application/json"}.items():
                    self.send_header(key, value)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def scripted():
    servers = []

    def make(script):
        servers.append(Scripted(script))
        return servers[-1]

    yield make
    for server in servers:
        server.close()


def _client(url, attempts=4, **kwargs):
    return EndpointClient(url, "key", retry=RetryPolicy(attempts=attempts, base_s=0.05, cap_s=0.2),
                          limiter=RateLimiter(), breaker=CircuitBreaker(), **kwargs)


TOO_MANY = (429, {"retry-after": "1"}, {"error": "slow down"})


def test_429_retry_after_is_honoured(scripted):
    server = scripted([TOO_MANY, TOO_MANY, (200, {}, {"id": "job-1", "status": "IN_QUEUE"})])
    assert _client(server.url).run({"x": 1}) == "job-1"
    assert len(server.times) == 3
    gaps = [b - a for a, b in zip(server.times, server.times[1:], strict=False)]
    assert all(gap >= 0.95 for gap in gaps), gaps  # never sooner than Retry-After, though backoff alone is 0.2 s


def test_429_pauses_every_caller_so_there_is_no_request_storm(scripted):
    server = scripted([TOO_MANY])
    client = _client(server.url, attempts=3)
    errors = []

    def call():
        try:
            client.status("job")
        except EndpointUnavailable as exc:
            errors.append(str(exc))

    threads = [threading.Thread(target=call) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(errors) == 6 and "answered 429" in errors[0] and "gave up after 3 attempts" in errors[0]
    assert len(server.times) == 18  # bounded: 6 callers x 3 attempts, nothing more
    start = server.times[0]
    # Once the first 429 arrived, nobody sent anything before its Retry-After had passed.
    later = [t - start for t in server.times[6:]]
    assert min(later) >= 0.95, later


def test_5xx_is_retried_4xx_is_not(scripted):
    server = scripted([(503, {}, {"error": "busy"}), (502, {}, {}), (200, {}, {"status": "IN_QUEUE", "id": "j"})])
    assert _client(server.url).status("j")["status"] == "IN_QUEUE" and len(server.times) == 3

    server = scripted([(401, {}, {"error": "bad key"})])
    with pytest.raises(RemoteError, match=r"refused the API key .*set RUNPOD_API_KEY") as caught:
        _client(server.url).status("j")
    assert caught.value.status == 401 and len(server.times) == 1


class FakeClock:
    """Simulated time for the limiter and the breaker: sleeping advances it, nothing waits."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_circuit_opens_after_repeated_failures_and_probes_after_reset():
    url, clock = closed_local_url(), FakeClock()
    breaker = CircuitBreaker(threshold=3, reset_s=30.0, clock=clock)
    client = EndpointClient(url, retry=RetryPolicy(attempts=5, base_s=0.01, cap_s=0.02), limiter=RateLimiter(),
                            breaker=breaker)
    with pytest.raises(EndpointUnavailable, match="circuit open after: cannot connect"):
        client.health()
    assert breaker.state == "open"
    started = time.monotonic()
    with pytest.raises(EndpointUnavailable, match="circuit open"):
        client.health()  # fails at once, without a request
    assert time.monotonic() - started < 0.05
    clock.sleep(29.9)
    assert breaker.state == "open"
    clock.sleep(0.2)
    assert breaker.state == "half-open" and breaker.allow() and not breaker.allow()  # exactly one probe
    breaker.record_success()
    assert breaker.state == "closed"


def test_rate_limiter_keeps_under_the_documented_limit():
    clock = FakeClock()
    limiter = RateLimiter({"cancel": 20}, share=1.0, clock=clock, sleep=clock.sleep)  # 2 per second, burst 2
    sent = []
    for _ in range(6):
        limiter.acquire("cancel")
        sent.append(clock.now - 1000.0)
    assert sent == pytest.approx([0.0, 0.0, 0.5, 1.0, 1.5, 2.0])  # 2 at once, then one every 0.5 s
    limiter.pause(10.0)  # a 429 with Retry-After: 10
    limiter.acquire("cancel")
    assert clock.now - 1000.0 == pytest.approx(12.0)


def test_backoff_and_retry_after_parsing():
    policy, rng = RetryPolicy(base_s=0.5, cap_s=4.0), random.Random(0)
    for attempt, ceiling in ((0, 0.5), (1, 1.0), (2, 2.0), (5, 4.0)):
        delays = [policy.delay(attempt, rng) for _ in range(200)]
        assert ceiling / 2 <= min(delays) and max(delays) <= ceiling and len(set(delays)) > 100
    assert retry_after_seconds("3") == 3.0 and retry_after_seconds(None) is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == pytest.approx(10.0)
    assert retry_after_seconds("soon") is None


def test_adaptive_polling_follows_the_job():
    poller = AdaptivePoller(min_s=0.02, max_s=2.0)
    queued = [poller.next_interval("IN_QUEUE") for _ in range(12)]
    assert queued[0] < queued[5] < queued[-1] == 2.0
    poller = AdaptivePoller(min_s=0.02, max_s=2.0)
    now = time.time()
    # The worker's clock runs 100 s behind ours; it reported "half done" after 10 s, just now: 10 s to go.
    worker_now = now - 100
    assert poller.next_interval("IN_PROGRESS", 0.5, worker_now, worker_now - 10) == pytest.approx(2.0)
    # The same report seen 9 s later: the next one is due in about a second.
    poller._offset -= 9
    assert poller.next_interval("IN_PROGRESS", 0.5, worker_now, worker_now - 10) == pytest.approx(0.25, abs=0.01)
    assert poller.next_interval("IN_PROGRESS", 0.5, worker_now - 20, worker_now - 30) == 0.02  # overdue
    assert poller.next_interval("IN_PROGRESS", 1.0, worker_now) == 0.02  # the last epoch is done: result is near
    assert poller.next_interval("IN_PROGRESS", 1.0, worker_now) == pytest.approx(0.024)  # then backs off gently
    assert AdaptivePoller(min_s=0.02).next_interval("IN_PROGRESS", 0.5) == pytest.approx(0.03)  # no timestamps


def test_endpoint_names_resolve_to_urls():
    assert resolve_endpoint("abc123") == "https://api.runpod.ai/v2/abc123"
    assert resolve_endpoint("https://api.runpod.ai/v2/abc123/") == "https://api.runpod.ai/v2/abc123"
    assert resolve_endpoint("http://127.0.0.1:8001") == "http://127.0.0.1:8001"
    for bad in (None, " ", "ftp://x", "not an id!"):
        with pytest.raises(ConfigError):
            resolve_endpoint(bad)


def test_executor_against_a_throttling_endpoint_stays_bounded(scripted, tmp_path):
    from nettune.executors.remote import RemoteExecutor
    from nettune.progress.events import TrialFinished
    from tests.remote.conftest import fixed_job

    server = scripted([(200, {}, {"jobs": {}, "workers": {}}), TOO_MANY])
    executor = RemoteExecutor(_client(server.url, attempts=3), workers=2)  # no local fallback
    try:
        for n in (0, 1):
            executor.submit(fixed_job(n, 0.1, tmp_path))
        events, deadline = [], time.monotonic() + 30
        while sum(isinstance(e, TrialFinished) for e in events) < 2 and time.monotonic() < deadline:
            events += executor.events(timeout=0.2)
    finally:
        executor.close()
    outcomes = [e.outcome for e in events if isinstance(e, TrialFinished)]
    assert [o["state"] for o in outcomes] == ["failed", "failed"]
    assert "endpoint unavailable" in outcomes[0]["error"] and "429" in outcomes[0]["error"]
    assert len(server.times) == 1 + 2 * 3  # the health probe, then 3 attempts per trial: no storm
    assert server.times[-1] - server.times[1] >= 1.9  # two Retry-After pauses of 1 s between the waves


def test_a_wrong_api_key_is_an_error_at_start_not_a_silent_fallback(scripted):
    from nettune.executors.remote import RemoteExecutor

    server = scripted([(401, {}, {"error": "Unauthorized"})])
    with pytest.raises(RemoteError, match="refused the API key"):
        RemoteExecutor(_client(server.url), workers=1, fallback=lambda: pytest.fail("no fallback for a bad key"))


def test_a_job_the_worker_rejects_is_not_retried(scripted, tmp_path):
    from nettune.executors.remote import RemoteExecutor
    from nettune.progress.events import TrialFinished
    from tests.remote.conftest import fixed_job, run_to_finish

    rejected = {"id": "j1", "status": "FAILED", "error": "invalid job input: the orchestrator runs nettune '0.2.0'"}
    server = scripted([(200, {}, {"jobs": {}, "workers": {}}), (200, {}, {"id": "j1", "status": "IN_QUEUE"}),
                       (200, {}, rejected)])
    executor = RemoteExecutor(_client(server.url), workers=1)
    events = run_to_finish(executor, fixed_job(0, 0.1, tmp_path), timeout_s=10, poll_s=0.2)
    outcome = next(e.outcome for e in events if isinstance(e, TrialFinished))
    assert outcome["state"] == "failed" and "the worker rejected the job: invalid job input" in outcome["error"]
    assert len(server.times) == 3  # health, one /run, one /status: no second submission
