"""Domain errors and their one mapping to HTTP: every kind has a status, the statuses and headers are the API's,
and the services stay free of the web framework."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from nettune.api import errors as http_errors
from nettune.api.services import errors as domain

from .conftest import TOKEN, make_settings, running_client

SERVICES = Path(domain.__file__).parent


def _kinds() -> list[type[domain.ServiceError]]:
    return [c for _, c in inspect.getmembers(domain, inspect.isclass) if issubclass(c, domain.ServiceError)]


def test_every_domain_error_answers_with_a_client_or_server_error_status():
    statuses = {kind.__name__: http_errors.status_of(kind("why")) for kind in _kinds()}
    assert statuses == {"BadRequest": 400, "Conflict": 409, "InvalidRequest": 422, "JobConflict": 409,
                        "JobNotFound": 404, "LimitExceeded": 422, "NotFound": 404, "NotInstalled": 501,
                        "QueueFull": 429, "ServiceError": 400, "TooLarge": 413, "Unauthorized": 401,
                        "Unavailable": 503, "UpstreamFailed": 502}


def test_the_response_carries_the_detail_and_the_headers_its_status_needs():
    busy = http_errors.error_response(domain.Unavailable("the study is being written; try again", retry_after_s=1))
    assert busy.status_code == 503 and busy.headers["retry-after"] == "1"
    assert busy.body == b'{"detail":"the study is being written; try again"}'
    assert "www-authenticate" not in busy.headers
    denied = http_errors.error_response(domain.Unauthorized("missing or wrong bearer token"))
    assert denied.status_code == 401 and denied.headers["www-authenticate"] == "Bearer"
    assert "retry-after" not in denied.headers


def test_a_real_request_gets_the_mapped_status_body_and_header(tmp_path):
    with running_client(make_settings(tmp_path, None, token=TOKEN)) as client:
        denied = client.get("/jobs")
        assert denied.status_code == 401 and denied.headers["www-authenticate"] == "Bearer"
        assert denied.json()["detail"].startswith("missing or wrong bearer token")
        missing = client.get("/jobs/nosuchjob", headers={"Authorization": f"Bearer {TOKEN}"})
        assert missing.status_code == 404 and missing.json() == {"detail": "no job with id 'nosuchjob'"}


def test_services_import_no_web_framework():
    """Services raise domain errors and return views; HTTP is the app's business (api/errors.py)."""
    offenders = []
    for path in sorted(SERVICES.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("fastapi", "starlette")]
    assert offenders == []
