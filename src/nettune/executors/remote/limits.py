"""Staying inside an endpoint's limits: a request-rate limiter and a circuit breaker, both per endpoint.

RunPod documents per-operation limits for serverless endpoints (requests per 10 seconds): /run 1000,
/runsync 2000, /status 2000, /cancel 100, /purge-queue 2. The limiter spends at most LIMIT_SHARE of each, so
a study never meets a 429 of its own making; a 429 that still arrives (another client on the same account)
pauses every request to that endpoint for its Retry-After.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

Clock = Callable[[], float]

RUNPOD_LIMITS_PER_10S = {"run": 1000, "runsync": 2000, "status": 2000, "cancel": 100, "retry": 100,
                         "purge-queue": 2, "health": 100}
LIMIT_SHARE = 0.8


class TokenBucket:
    def __init__(self, rate_per_s: float, burst: float, clock: Clock = time.monotonic) -> None:
        self.rate, self.burst, self._clock = rate_per_s, burst, clock
        self._tokens, self._stamp = burst, clock()
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Take a token; returns how long the caller must wait before using it."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            self._tokens -= 1.0
            return 0.0 if self._tokens >= 0 else -self._tokens / self.rate


class RateLimiter:
    """`clock` and `sleep` are injectable so tests can run it on simulated time."""

    def __init__(self, limits_per_10s: dict[str, int] | None = None, share: float = LIMIT_SHARE,
                 clock: Clock = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        limits = limits_per_10s or RUNPOD_LIMITS_PER_10S
        self._clock, self._sleep = clock, sleep
        self._buckets = {op: TokenBucket(n * share / 10.0, max(1.0, n * share / 10.0), clock)
                         for op, n in limits.items()}
        self._paused_until = 0.0
        self._lock = threading.Lock()

    def acquire(self, operation: str) -> None:
        """Block until a request for `operation` may be sent."""
        wait = self._buckets[operation].reserve() if operation in self._buckets else 0.0
        with self._lock:
            wait = max(wait, self._paused_until - self._clock())
        if wait > 0:
            self._sleep(wait)

    def pause(self, seconds: float) -> None:
        """After a 429: no request to this endpoint before `seconds` from now."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)


class CircuitBreaker:
    """Closed → open after `threshold` consecutive failures; half-open after `reset_s`: one probe decides.

    While open, callers learn at once that the endpoint is down (and can fall back) instead of each
    spending a full retry sequence against it.
    """

    def __init__(self, threshold: int = 5, reset_s: float = 30.0, clock: Clock = time.monotonic) -> None:
        self.threshold, self.reset_s, self._clock = threshold, reset_s, clock
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False
        self.last_error = ""
        self._lock = threading.Lock()

    @property
    def state(self) -> str:
        with self._lock:
            return self._state()

    def _state(self) -> str:
        if self._opened_at is None:
            return "closed"
        return "half-open" if self._clock() - self._opened_at >= self.reset_s else "open"

    def allow(self) -> bool:
        with self._lock:
            state = self._state()
            if state == "closed":
                return True
            if state == "half-open" and not self._probing:
                self._probing = True  # exactly one request tests the water
                return True
            return False

    def record_success(self) -> None:
        with self._lock:
            self._failures, self._opened_at, self._probing = 0, None, False

    def record_failure(self, error: str) -> None:
        with self._lock:
            self._failures += 1
            self.last_error = error
            if self._probing or self._failures >= self.threshold:
                self._opened_at, self._probing = self._clock(), False

    def trip(self, error: str) -> None:
        """Open at once (the endpoint was found unreachable at start)."""
        with self._lock:
            self._failures, self.last_error = self.threshold, error
            self._opened_at, self._probing = self._clock(), False


_breakers: dict[str, CircuitBreaker] = {}
_limiters: dict[str, RateLimiter] = {}
_registry_lock = threading.Lock()


def breaker_for(base_url: str) -> CircuitBreaker:
    """One breaker per endpoint in this process, shared by every client of it."""
    with _registry_lock:
        return _breakers.setdefault(base_url, CircuitBreaker())


def limiter_for(base_url: str) -> RateLimiter:
    with _registry_lock:
        return _limiters.setdefault(base_url, RateLimiter())
