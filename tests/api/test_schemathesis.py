"""Property-based requests generated from the OpenAPI schema against a real server on 127.0.0.1: never a 5xx,
and every response matches the documented status codes, content types and schemas."""

from __future__ import annotations

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from nettune.api.app import create_app

from .conftest import make_settings, uvicorn_server

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 30


def test_api_never_fails_on_generated_requests(api_home):
    # Generated valid bodies start real jobs; keep them few and cheap: one at a time, two waiting, and an empty
    # dataset directory (downloads point at a closed port), so each such job fails fast while loading its data.
    home = api_home / "fuzz"
    app = create_app(make_settings(home, home / "no-data", max_running_jobs=1, max_queued_jobs=2, max_trials=1000,
                                   max_epochs_per_trial=200, max_concurrent_workers=16, static_dir=home / "unbuilt"))
    with uvicorn_server(app) as base:
        schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 17
        for operation in operations:

            @given(case=operation.as_strategy())
            @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            def call(case: schemathesis.Case) -> None:
                case.call_and_validate(base_url=base, checks=CHECKS)

            call()
        # The generator did reach the real job path: valid bodies were accepted and queued or run.
        jobs = httpx.get(f"{base}/jobs").json()["jobs"]
        assert jobs
