"""The one place where domain errors (services/errors.py) become HTTP: a status code per kind, and the body
{"detail": "one-line message"} with the headers the status calls for."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from nettune.api.services import errors as domain

# Looked up along the error's class hierarchy: JobNotFound answers as NotFound, LimitExceeded as InvalidRequest.
STATUS: dict[type[domain.ServiceError], int] = {
    domain.BadRequest: 400,
    domain.Unauthorized: 401,
    domain.NotFound: 404,
    domain.Conflict: 409,
    domain.TooLarge: 413,
    domain.InvalidRequest: 422,
    domain.QueueFull: 429,
    domain.NotInstalled: 501,
    domain.UpstreamFailed: 502,
    domain.Unavailable: 503,
    domain.ServiceError: 400,  # a client error of no more specific kind
}


def status_of(exc: domain.ServiceError) -> int:
    return next(STATUS[kind] for kind in type(exc).__mro__ if kind in STATUS)


def headers_of(exc: domain.ServiceError) -> dict[str, str] | None:
    headers: dict[str, str] = {}
    if isinstance(exc, domain.Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    if exc.retry_after_s is not None:
        headers["Retry-After"] = str(exc.retry_after_s)
    return headers or None


def error_response(exc: domain.ServiceError) -> JSONResponse:
    return JSONResponse({"detail": exc.detail}, status_of(exc), headers=headers_of(exc))
