"""Files a job produced: plots, the best model as JSON and the optimized model zip. Only files inside the job's
run directory. With a token, these also accept ?token= (browsers cannot add a header to an image or a link)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.background import BackgroundTask

from nettune.api.deps import ServicesDep
from nettune.api.models import BestModel, ErrorResponse, PlotList
from nettune.api.routes.dashboard import PLOTLY_URL
from nettune.api.services.errors import NotFound

router = APIRouter(tags=["files"])
NOT_FOUND = {404: {"model": ErrorResponse, "description": "no such job, trial or file"}}
BAD_NAME = {400: {"model": ErrorResponse, "description": "invalid file name"}}
FILE = {200: {"content": {"image/png": {}, "text/html": {}, "text/javascript": {}}, "description": "the file"}}


DIAGRAM = {200: {"content": {"image/svg+xml": {}, "application/pdf": {}, "application/json": {}},
                  "description": "the architecture as a vector diagram (with a legend of its layer kinds) or as JSON"}}
DIAGRAM_TYPES = {"svg": "image/svg+xml", "pdf": "application/pdf", "json": "application/json"}
DiagramFormat = Literal["svg", "pdf", "json"]


@router.get("/jobs/{job_id}/trials/{n}/architecture.{fmt}", response_class=Response,
            responses={**DIAGRAM, **NOT_FOUND}, summary="A trial's architecture as SVG, PDF or JSON")
def trial_architecture(job_id: str, n: int, fmt: DiagramFormat, s: ServicesDep) -> Response:
    trial = s.results.trial(job_id, n)
    return _diagram(trial.get("graph"), fmt, f"{job_id}_trial{n}", f"trial {n}")


@router.get("/jobs/{job_id}/best-model/architecture.{fmt}", response_class=Response,
            responses={**DIAGRAM, **NOT_FOUND, 409: {"model": ErrorResponse, "description": "no completed trial yet"}},
            summary="The best model's architecture as SVG, PDF or JSON")
def best_architecture(job_id: str, fmt: DiagramFormat, s: ServicesDep) -> Response:
    best = s.results.best_model(job_id)
    return _diagram(best["trial"].get("graph"), fmt, f"{job_id}_best", f"best model (trial {best['trial']['number']})")


def _diagram(graph: dict[str, Any] | None, fmt: str, stem: str, what: str) -> Response:
    if not graph:
        raise NotFound(f"no architecture graph for the {what}")
    if fmt == "json":
        body = json.dumps(graph, indent=1).encode()
    else:
        model = graph.get("model", {})
        title = f"{what}: {str(model.get('family', '')).upper()}, {model.get('total_params', 0):,} parameters"
        from nettune.architecture.diagram import render_diagram  # matplotlib: imported when first drawn

        body = render_diagram(graph, fmt, title)  # type: ignore[arg-type]
    return Response(body, media_type=DIAGRAM_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{stem}_architecture.{fmt}"'})


@router.get("/jobs/{job_id}/plots", response_model=PlotList, responses=NOT_FOUND, summary="A job's plot files")
def list_plots(job_id: str, s: ServicesDep) -> PlotList:
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
