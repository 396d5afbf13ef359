"""Domain errors: failures a client caused or can act on, each with a one-line message saying how to fix it.

Services (and routes) raise these without knowing about HTTP; api/errors.py is the one place that turns each kind
into a status code and the {"detail": "..."} body.
"""

from __future__ import annotations


class ServiceError(Exception):
    """A failure the client can act on. `retry_after_s`: the request may work if sent again that much later."""

    def __init__(self, detail: str, retry_after_s: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.retry_after_s = retry_after_s


class BadRequest(ServiceError):
    """The request names something malformed (an unsafe file name)."""


class Unauthorized(ServiceError):
    """The request lacks the server's token, or carries a wrong one."""


class NotFound(ServiceError):
    """What the request names does not exist (a trial, a file, an upload, an endpoint)."""


class JobNotFound(NotFound):
    """No job has the id the request names."""


class Conflict(ServiceError):
    """The request is valid but what it acts on is in a state that does not allow it."""


class JobConflict(Conflict):
    """The job's state (or its run_name, taken by another job) does not allow this."""


class InvalidRequest(ServiceError):
    """The request is well-formed but asks for something this server cannot do (an unknown dataset, a bad option
    combination, an unusable upload)."""


class LimitExceeded(InvalidRequest):
    """An option over one of this server's limits (--max-trials and the like)."""


class TooLarge(ServiceError):
    """An upload over this server's size or file-count limits."""


class QueueFull(ServiceError):
    """As many jobs wait as the server queues; a new one can start when a job has finished."""


class NotInstalled(ServiceError):
    """An optional package the feature needs is not installed on the server."""


class UpstreamFailed(ServiceError):
    """A helper process the server forwards to (TensorBoard) did not answer."""


class Unavailable(ServiceError):
    """Temporarily unable to answer (a study being written, a helper that would not start); try again later."""
