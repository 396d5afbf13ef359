"""The endpoint's HTTP API: RunPod's queue-based serverless operations, same paths, bodies and job states.

    POST /run            {"input": ..., "policy": {"executionTimeout": ms, "ttl": ms}} -> {"id", "status": "IN_QUEUE"}
    POST /runsync?wait=ms                                 -> the job's status once it ends (or after `wait`)
    GET|POST /status/{id}                                 -> {"id", "status", "delayTime", "executionTime",
                                                              "workerId", "output" | "error"}
    GET /stream/{id}                                      -> {"id", "status", "stream": [{"output": ...}]}: the
                                                             progress reports (then the result) not read before
    POST /cancel/{id}    POST /retry/{id}    POST /purge-queue    GET /health

Every route is also served under /{endpoint_id}/... and /v2/{endpoint_id}/..., the paths RunPod's SDK builds.

While a job is IN_PROGRESS its "output" is the latest progress the handler reported, as on RunPod.
With an API key configured every request needs `authorization: KEY` or `authorization: Bearer KEY`.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

import anyio
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from nettune.endpoint.jobs import (
    DEFAULT_EXECUTION_TIMEOUT_S,
    DEFAULT_TTL_S,
    IN_QUEUE,
    RESULT_RETENTION_S,
    TERMINAL,
    JobRecord,
    JobStore,
)
from nettune.endpoint.pool import WorkerPool

MAX_BODY = {"run": 10 * 1024 * 1024, "runsync": 20 * 1024 * 1024}  # RunPod's payload limits
MAX_DEPTH = 32  # nesting of a request body; a job input is about 4 deep
RUNSYNC_WAIT_MS = (1000, 90_000, 300_000)  # min, default, max of ?wait=


class BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def create_app(store: JobStore, pool: WorkerPool, api_key: str | None = None) -> FastAPI:
    app = FastAPI(title="nettune worker endpoint", docs_url=None, redoc_url=None)

    @app.middleware("http")
    async def authorize(request: Request, call_next: Any) -> Any:
        if api_key and not _key_matches(request.headers.get("authorization"), api_key):
            return _error(401, "missing or wrong API key: send the header 'authorization: Bearer KEY'")
        return await call_next(request)

    @app.exception_handler(BadRequest)
    async def bad_request(request: Request, exc: BadRequest) -> JSONResponse:
        return _error(exc.status, str(exc))

    router = APIRouter()

    @router.post("/run")
    async def run(request: Request) -> Any:
        record = await _submit(request, store, "run")
        return {"id": record.id, "status": record.status}

    @router.post("/runsync")
    async def runsync(request: Request, wait: int = RUNSYNC_WAIT_MS[1]) -> Any:
        record = await _submit(request, store, "runsync")
        wait_s = min(max(wait, RUNSYNC_WAIT_MS[0]), RUNSYNC_WAIT_MS[2]) / 1000
        done = await anyio.to_thread.run_sync(store.wait_terminal, record.id, wait_s)
        return (done or record).to_status()

    @router.api_route("/status/{job_id}", methods=["GET", "POST"])
    async def status(job_id: str) -> Any:
        return _known(store, job_id).to_status()

    @router.post("/cancel/{job_id}")
    async def cancel(job_id: str) -> Any:
        record = store.cancel(job_id) or _known(store, job_id)  # the pool's dispatcher stops a running job
        return {"id": record.id, "status": record.status}

    @router.post("/retry/{job_id}")
    async def retry(job_id: str) -> Any:
        current = _known(store, job_id)
        record = store.retry(job_id)
        if record is None:
            raise BadRequest(400, f"job {job_id} is {current.status}; only FAILED or TIMED_OUT jobs can be retried")
        return {"id": record.id, "status": IN_QUEUE}

    @router.post("/purge-queue")
    async def purge_queue() -> Any:
        return {"removed": store.purge_queue(), "status": "completed"}

    @router.get("/health")
    async def health() -> Any:
        return {"jobs": store.job_counts(), "workers": pool.worker_counts()}

    @router.get("/stream/{job_id}")
    async def stream(job_id: str) -> Any:
        drained = store.drain_stream(job_id)
        if drained is None:
            _known(store, job_id)  # raises the 404
        record, items = drained  # type: ignore[misc]
        body: dict[str, Any] = {"id": record.id, "status": record.status, "stream": [{"output": o} for o in items]}
        if record.status in TERMINAL:
            body |= {k: v for k, v in record.to_status().items() if k in ("output", "error")}
        return body

    # RunPod's SDK builds {endpoint_url_base}/{endpoint_id}/{operation}: serve every route bare, under any
    # endpoint id, and under /v2/{endpoint_id} (RunPod's own layout), so both base URLs work.
    for prefix in ("", "/{endpoint_id}", "/v2/{endpoint_id}"):
        app.include_router(router, prefix=prefix)
    return app


def _key_matches(header: str | None, api_key: str) -> bool:
    if not header:
        return False
    token = header[7:] if header.lower().startswith("bearer ") else header
    return hmac.compare_digest(token.strip().encode(), api_key.encode())


def _known(store: JobStore, job_id: str) -> JobRecord:
    record = store.get(job_id)
    if record is None:
        raise BadRequest(404, f"job {job_id} not found (results are kept 30 minutes after /run and 1 minute "
                              "after /runsync)")
    return record


def _too_deep(value: object) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return False


async def _read_limited(request: Request, limit: int, operation: str) -> bytes:
    """Refused by Content-Length before reading, and while streaming when there is none (or it lies): a huge body
    never sits in memory whole."""
    declared = request.headers.get("content-length", "")
    too_big = f"request body is over the {limit}-byte limit of /{operation}"
    if declared.isdigit() and int(declared) > limit:
        raise BadRequest(413, too_big)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BadRequest(413, too_big)
        chunks.append(chunk)
    return b"".join(chunks)


async def _submit(request: Request, store: JobStore, operation: str) -> JobRecord:
    raw = await _read_limited(request, MAX_BODY[operation], operation)
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise BadRequest(400, f"request body is not JSON: {exc}") from exc
    except RecursionError:
        body = None
    if body is None or _too_deep(body):  # deeply nested arrays or objects: no real job looks like that, and
        # everything downstream (validation, the job store, the worker) would recurse over it
        raise BadRequest(400, f"request body is nested deeper than {MAX_DEPTH} levels; a job input is not")
    if not isinstance(body, dict) or "input" not in body:
        raise BadRequest(400, 'request body must be a JSON object with an "input" key')
    unknown = sorted(set(body) - {"input", "policy"})
    if unknown:
        raise BadRequest(400, f"unsupported request field(s): {', '.join(unknown)} (this endpoint accepts input "
                              "and policy)")
    timeout_s, ttl_s = _policy(body.get("policy"))
    record = store.submit(JobRecord(input=body["input"], execution_timeout_s=timeout_s, ttl_s=ttl_s,
                                    retention_s=RESULT_RETENTION_S[operation]))
    if record is None:
        raise BadRequest(429, f"the queue is full ({store.max_queue} jobs); retry later")
    return record


def _policy(policy: Any) -> tuple[float, float]:
    """(executionTimeout, ttl) in seconds from a RunPod execution policy, with RunPod's defaults and bounds."""
    if policy is None:
        return DEFAULT_EXECUTION_TIMEOUT_S, DEFAULT_TTL_S
    if not isinstance(policy, dict):
        raise BadRequest(400, "policy must be an object")
    unknown = sorted(set(policy) - {"executionTimeout", "ttl", "lowPriority"})
    if unknown:
        raise BadRequest(400, f"unsupported policy field(s): {', '.join(unknown)}")
    timeout = _milliseconds(policy, "executionTimeout", DEFAULT_EXECUTION_TIMEOUT_S, low=5001, high=7 * 86_400_000)
    ttl = _milliseconds(policy, "ttl", DEFAULT_TTL_S, low=10_000, high=7 * 86_400_000)
    return timeout, ttl


def _milliseconds(policy: dict[str, Any], key: str, default_s: float, low: int, high: int) -> float:
    value = policy.get(key)
    if value is None:
        return default_s
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise BadRequest(400, f"policy.{key} must be milliseconds between {low} and {high}, got {value!r}")
    return float(value) / 1000
