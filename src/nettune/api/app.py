"""create_app(settings): the FastAPI application behind `nettune serve`."""

from __future__ import annotations

import asyncio
import difflib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from nettune import __version__
from nettune.api.deps import Services
from nettune.api.errors import error_response
from nettune.api.loopback_guard import LoopbackGuard
from nettune.api.models import OptimizeRequest
from nettune.api.routes import activations, dashboard, datasets, files, jobs, meta, tensorboard, trials, ws
from nettune.api.security import BodyLimit, require_token, require_token_or_query
from nettune.api.services.activations import ActivationService
from nettune.api.services.errors import ServiceError
from nettune.api.services.hub import EventHub
from nettune.api.services.jobs import JobManager
from nettune.api.services.results import ResultService
from nettune.api.services.store import JobStore
from nettune.api.services.trials import TrialReader
from nettune.api.services.uploads import UPLOAD_PATH, UploadLimits, UploadService
from nettune.api.settings import ApiSettings

log = logging.getLogger("nettune.api")


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    settings = settings or ApiSettings()
    settings.validate()
    store = JobStore(settings.jobs_db_url)
    hub = EventHub()
    reader = TrialReader()
    assert settings.uploads_dir is not None  # set in ApiSettings.__post_init__
    uploads = UploadService(settings.uploads_dir, settings.data_dir,
                            UploadLimits(settings.max_upload_bytes, settings.max_unpacked_bytes,
                                         settings.max_upload_files))
    manager = JobManager(settings, store, hub, reader, uploads)
    results = ResultService(manager, reader)
    services = Services(settings=settings, hub=hub, jobs=manager, results=results, uploads=uploads,
                        activations=ActivationService(results))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        hub.bind(asyncio.get_running_loop())
        await run_in_threadpool(manager.recover)
        try:
            yield
        finally:
            await run_in_threadpool(manager.shutdown)
            await run_in_threadpool(services.tensorboards.close)
            hub.unbind()
            store.close()

    app = FastAPI(title="nettune", version=__version__, lifespan=lifespan, openapi_url=None, docs_url=None,
                  redoc_url=None, description="Health-aware hyperparameter optimization: jobs, trials, best model, "
                  "downloads and live events. Contract: docs/api.md.")
    app.state.settings = settings
    app.state.services = services
    protected = [Depends(require_token)]
    for module in (jobs, trials, activations, meta, datasets, tensorboard):
        app.include_router(module.router, dependencies=protected)
    app.include_router(tensorboard.proxy_router)  # its own auth: header, ?token= or the cookie it sets
    app.include_router(files.router, dependencies=[Depends(require_token_or_query)])
    app.include_router(ws.router)  # WebSockets check the token themselves (header or ?token=)
    _add_docs(app, protected)
    app.include_router(dashboard.router)  # last: its catch-all must not shadow an API route
    _add_error_handlers(app)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes, streamed=UPLOAD_PATH)
    if not settings.auth_required:
        app.add_middleware(LoopbackGuard, allowed_origins=settings.cors_origins)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_methods=["*"],
                           allow_headers=["*"])
    return app


def _add_docs(app: FastAPI, protected: list[Any]) -> None:
    @app.get("/openapi.json", include_in_schema=False, dependencies=protected)
    def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False, dependencies=protected)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="nettune API")


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def service_error(request: Request, exc: ServiceError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": validation_message(exc.errors())}, 422)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse({"detail": f"internal error ({type(exc).__name__}); the server log has the details"}, 500)


def validation_message(errors: Any) -> str:
    """Pydantic's error list as one line a person can act on."""
    errors = list(errors)
    if not errors:
        return "invalid request"
    first = errors[0]
    where = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path")]
    name = ".".join(where)
    kind, message = first.get("type", ""), str(first.get("msg", "invalid value"))
    if kind == "extra_forbidden":
        accepted = list(OptimizeRequest.model_fields)  # type: ignore[attr-defined]
        close = difflib.get_close_matches(where[-1] if where else "", accepted, n=1, cutoff=0.6)
        text = f"unknown field {name!r}" + (f" (did you mean {close[0]!r}?)" if close else "") + \
            "; the accepted fields are in the OpenAPI schema at /openapi.json"
    elif kind == "json_invalid":
        text = f"the request body is not valid JSON ({first.get('ctx', {}).get('error', message)})"
    elif kind == "missing" and not where:
        text = "a JSON object body is required"
    elif kind in ("model_attributes_type", "dict_type") and not where:
        text = "the request body must be a JSON object"
    else:
        message = message.removeprefix("Value error, ")
        text = f"{name}: {message}" if name else message
    more = len(errors) - 1
    return text + (f" (and {more} more problem{'s' if more > 1 else ''})" if more else "")
