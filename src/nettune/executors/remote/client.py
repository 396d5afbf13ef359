"""EndpointClient: RunPod's serverless REST operations over httpx, with retries, rate limits and a breaker.

Retried: connection failures, timeouts (for idempotent operations), 429 and 5xx, with exponential backoff and
jitter and never sooner than a Retry-After header says. Not retried: other 4xx answers, which say the request
itself is wrong (a bad API key, an unknown job), so they raise RemoteError at once with the server's message.
/run is not idempotent: after a read timeout the job may exist, so it is not resent blindly.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from typing import Any
from urllib.parse import urlparse

import httpx

from nettune.errors import ConfigError, NettuneError
from nettune.executors.remote.limits import CircuitBreaker, RateLimiter, breaker_for, limiter_for
from nettune.executors.remote.retry import RETRY_STATUSES, RetryPolicy, retry_after_seconds

log = logging.getLogger("nettune.remote")
RUNPOD_API = "https://api.runpod.ai/v2"


class RemoteError(NettuneError):
    """The endpoint answered, and the answer is an error that retrying will not fix."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class EndpointUnavailable(NettuneError):
    """The endpoint could not be reached (or kept failing) after every retry, or its circuit is open."""


class Interrupted(NettuneError):
    """A retry wait was cut short by the caller's interrupt event."""


def resolve_endpoint(endpoint: str | None) -> str:
    """Base URL from an endpoint id ("abc123") or a URL ("https://api.runpod.ai/v2/abc123", "http://box:8001")."""
    if not endpoint or not endpoint.strip():
        raise ConfigError("use_runpod_service=true needs runpod_endpoint=ENDPOINT_ID or a URL such as "
                          "http://127.0.0.1:8001 (or RUNPOD_ENDPOINT in the environment or in ./.env)")
    endpoint = endpoint.strip().rstrip("/")
    if "://" not in endpoint:
        if not endpoint.replace("-", "").replace("_", "").isalnum():
            raise ConfigError(f"runpod_endpoint={endpoint!r} is neither an endpoint id nor an http(s) URL")
        return f"{RUNPOD_API}/{endpoint}"
    parsed = urlparse(endpoint)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(f"runpod_endpoint={endpoint!r} is not an http(s) URL")
    return endpoint


class EndpointClient:
    def __init__(self, base_url: str, api_key: str | None = None, *, timeout_s: float = 15.0,
                 retry: RetryPolicy | None = None, limiter: RateLimiter | None = None,
                 breaker: CircuitBreaker | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.retry = retry or RetryPolicy()
        self.limiter = limiter or limiter_for(self.base_url)
        self.breaker = breaker or breaker_for(self.base_url)
        headers = {"authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout_s,
                                  limits=httpx.Limits(max_connections=64, max_keepalive_connections=32))
        self._rng = random.Random()

    # -- RunPod operations ---------------------------------------------------------------------------------
    def run(self, job_input: dict[str, Any], execution_timeout_s: float | None = None,
            interrupt: threading.Event | None = None) -> str:
        body: dict[str, Any] = {"input": job_input}
        if execution_timeout_s is not None:
            body["policy"] = {"executionTimeout": int(execution_timeout_s * 1000)}
        answer = self._call("run", "POST", "/run", body, idempotent=False, interrupt=interrupt)
        if "id" not in answer:
            raise RemoteError(f"{self.base_url}/run answered without a job id: {str(answer)[:200]}")
        return str(answer["id"])

    def status(self, job_id: str, interrupt: threading.Event | None = None) -> dict[str, Any]:
        return self._call("status", "GET", f"/status/{job_id}", interrupt=interrupt)

    def cancel(self, job_id: str) -> dict[str, Any]:
        return self._call("cancel", "POST", f"/cancel/{job_id}")

    def health(self, attempts: int | None = None) -> dict[str, Any]:
        return self._call("health", "GET", "/health", attempts=attempts)

    def purge_queue(self) -> dict[str, Any]:
        return self._call("purge-queue", "POST", "/purge-queue")

    def close(self) -> None:
        self._http.close()

    # -- one request, retried --------------------------------------------------------------------------------
    def _call(self, operation: str, method: str, path: str, body: Any = None, *, idempotent: bool = True,
              interrupt: threading.Event | None = None, attempts: int | None = None) -> dict[str, Any]:
        attempts = attempts or self.retry.attempts
        last = "no attempt made"
        for attempt in range(attempts):
            if not self.breaker.allow():
                raise EndpointUnavailable(f"{self.base_url} is unavailable (circuit open after: "
                                          f"{self.breaker.last_error})")
            self.limiter.acquire(operation)
            wait: float | None = None
            try:
                response = self._http.request(method, path, json=body)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:  # the request never reached the server
                last = f"cannot connect to {self.base_url}: {exc}"
                self.breaker.record_failure(last)
            except httpx.TransportError as exc:
                last = f"{method} {path} failed: {type(exc).__name__} {exc}"
                self.breaker.record_failure(last)
                if not idempotent:
                    raise EndpointUnavailable(f"{last}; not resent because the job may have been created") from exc
            else:
                code = response.status_code
                if code < 400:
                    self.breaker.record_success()
                    return _json(response)
                message = _error_text(response)
                if code not in RETRY_STATUSES:
                    self.breaker.record_success()  # it answered: the endpoint is up, the request is wrong
                    raise RemoteError(_explain(code, f"{method} {self.base_url}{path}", message), code)
                last = f"{method} {path} answered {code}: {message}"
                wait = retry_after_seconds(response.headers.get("retry-after"))
                if code == 429:
                    self.breaker.record_success()
                    # Every request to this endpoint waits, not only this one: no storm of concurrent retries.
                    self.limiter.pause(wait if wait is not None else self.retry.delay(attempt, self._rng))
                else:
                    self.breaker.record_failure(last)
            if attempt + 1 < attempts:
                delay = max(self.retry.delay(attempt, self._rng), wait or 0.0)
                log.debug("%s; retrying in %.2f s", last, delay)
                _sleep(delay, interrupt)
        raise EndpointUnavailable(f"{last} (gave up after {attempts} attempts)")


def _sleep(seconds: float, interrupt: threading.Event | None) -> None:
    if interrupt is None:
        time.sleep(seconds)
    elif interrupt.wait(seconds):
        raise Interrupted("interrupted while waiting to retry")


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError as exc:
        raise RemoteError(f"{response.request.url} answered with something that is not JSON") from exc
    if not isinstance(data, dict):
        raise RemoteError(f"{response.request.url} answered with JSON that is not an object")
    return data


def _error_text(response: httpx.Response) -> str:
    """The status line only: an endpoint's reply is never echoed into errors a client of ours may read."""
    return response.reason_phrase or "error"


def _explain(code: int, where: str, message: str) -> str:
    if code in (401, 403):
        return (f"{where} refused the API key ({code}: {message}); set RUNPOD_API_KEY for a RunPod endpoint "
                "or NETTUNE_WORKER_API_KEY for a self-hosted one")
    return f"{where} answered {code}: {message}"
