"""The web dashboard at /: the built single-page app when it exists, else a page saying how to build it.

Paths that are not API routes fall back to index.html so the app's own routes survive a reload; API prefixes
never fall back, so a mistyped API URL still gets a JSON 404.
"""

from __future__ import annotations

from pathlib import Path

import plotly
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from nettune.api.services.errors import NotFound
from nettune.api.services.files import inside

router = APIRouter(include_in_schema=False)
PLOTLY_URL = "/vendor/plotly.min.js"
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
API_PREFIXES = ("jobs", "optimize", "download", "datasets", "glossary", "health", "ws", "openapi.json", "docs")
NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>nettune</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>nettune API</h1>
<p>The web dashboard is not built. Run <code>make install</code> in the nettune repository to build it
(it needs node and npm), then reload this page.</p>
<p>The API works without it: see <a href="/docs">/docs</a> and <code>docs/api.md</code>.</p>
</body></html>
"""


def _static_dir(request: Request) -> Path:
    return request.app.state.services.settings.static_dir


@router.get("/")
def index(request: Request) -> Response:
    page = _static_dir(request) / "index.html"
    return FileResponse(page) if page.is_file() else HTMLResponse(NOT_BUILT)


@router.get(PLOTLY_URL)
def plotly_library() -> FileResponse:
    """The plotly.js library the HTML plots use: a public file, served without a token so that a page opened with
    ?token= loads it (a <script src> cannot carry the token)."""
    return FileResponse(PLOTLY_JS, media_type="text/javascript")


@router.get("/{path:path}")
def static_or_app(path: str, request: Request) -> Response:
    if path.split("/", 1)[0] in API_PREFIXES:
        raise NotFound(f"no endpoint /{path}; see /docs for the API")
    static = _static_dir(request)
    found = inside(static, static / path)
    if found is not None:
        return FileResponse(found)
    if (static / "index.html").is_file() and "." not in path.rsplit("/", 1)[-1]:
        return FileResponse(static / "index.html")  # a client-side route of the app
    raise NotFound(f"no file /{path}")
