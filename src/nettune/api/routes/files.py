"""Files a job produced: plots, the best model as JSON and the optimized model zip. Only files inside the job's
run directory. With a token, these also accept ?token= (browsers cannot add a header to an image or a link)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.background import BackgroundTask

from nettune.api.deps import ServicesDep
from nettune.api.models import BestModel, ErrorResponse, PlotList
from nettune.api.routes.dashboard import PLOTLY_URL

router = APIRouter(tags=["files"])
NOT_FOUND = {404: {"model": ErrorResponse, "description": "no such job, trial or file"}}
BAD_NAME = {400: {"model": ErrorResponse, "description": "invalid file name"}}
FILE = {200: {"content": {"image/png": {}, "text/html": {}, "text/javascript": {}}, "description": "the file"}}


@router.get("/jobs/{job_id}/plots", response_model=PlotList, responses=NOT_FOUND, summary="A job's plot files")
def list_plots(job_id: str, s: ServicesDep) -> dict[str, Any]:
    return s.results.plots(job_id)


@router.get("/jobs/{job_id}/plots/{name}", response_class=FileResponse, responses={**FILE, **BAD_NAME, **NOT_FOUND},
            summary="A study plot file")
def study_plot(job_id: str, name: str, s: ServicesDep) -> Response:
    return _plot_file(s.results.study_plot(job_id, name))


@router.get("/jobs/{job_id}/trials/{n}/plots/{name}", response_class=FileResponse,
            responses={**FILE, **BAD_NAME, **NOT_FOUND}, summary="A trial's plot file")
def trial_plot(job_id: str, n: int, name: str, s: ServicesDep) -> Response:
    return _plot_file(s.results.trial_plot(job_id, n, name))


def _plot_file(path: Path) -> Response:
    """HTML plots load plotly.js from the server's public copy: their relative plotly.min.js would need the
    token, which a page's <script src> does not send."""
    if path.suffix != ".html":
        return FileResponse(path)
    page = path.read_text(encoding="utf-8").replace('src="plotly.min.js"', f'src="{PLOTLY_URL}"')
    return HTMLResponse(page)


@router.get("/download/{job_id}", response_class=FileResponse, responses={
    200: {"content": {"application/zip": {}}, "description": "the optimized model as a zip"}, **NOT_FOUND,
    409: {"model": ErrorResponse, "description": "the optimized model does not exist (yet)"}},
    summary="The optimized model: weights, config, ONNX, metrics, health and plots")
def download(job_id: str, s: ServicesDep) -> FileResponse:
    path, name = s.results.model_zip(job_id)
    return FileResponse(path, media_type="application/zip", filename=name,
                        background=BackgroundTask(Path(path).unlink, missing_ok=True))


@router.get("/jobs/{job_id}/best-model/download", responses={
    200: {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/BestModel"}}},
          "description": "the best model as a JSON file"}, **NOT_FOUND,
    409: {"model": ErrorResponse, "description": "no completed trial yet"}},
    summary="The best model as a JSON file download")
def best_model_download(job_id: str, s: ServicesDep) -> Response:
    best = BestModel.model_validate(s.results.best_model(job_id)).model_dump(mode="json", by_alias=True)
    name = f"{best['run_name']}_best_model.json"
    return Response(json.dumps(best, indent=2), media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
