"""TensorBoard for a job, through this server: start it, then browse it under /jobs/{job_id}/tensorboard/.

The proxy forwards to the job's loopback-only `tensorboard` process (services/tensorboard.py). With a token, the
page is opened once as .../tensorboard/?token=<token>; the answer sets a cookie scoped to that path, so the
page's own requests (scripts, data) are authorized without a header they could not send.
"""

from __future__ import annotations

from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Cookie, Depends, Request, Response

from nettune.api.deps import ServicesDep
from nettune.api.models import ErrorResponse, TensorBoardLink
from nettune.api.security import TOKEN_COOKIE, require_token_query_or_cookie
from nettune.api.services.errors import NotFound, UpstreamFailed
from nettune.api.services.tensorboard import path_prefix

router = APIRouter(tags=["tensorboard"])
proxy_router = APIRouter(dependencies=[Depends(require_token_query_or_cookie)])
_PASSED_BACK = ("content-type", "cache-control", "etag", "last-modified", "location", "x-content-type-options")


@router.post("/jobs/{job_id}/tensorboard", response_model=TensorBoardLink, responses={
    404: {"model": ErrorResponse, "description": "no such job"},
    409: {"model": ErrorResponse, "description": "the job wrote no TensorBoard logs (tensorboard=false)"},
    501: {"model": ErrorResponse, "description": "the tensorboard package is not installed on the server"}},
    summary="Start (or find) the job's TensorBoard; browse it at the returned url")
def open_tensorboard(job_id: str, s: ServicesDep) -> dict[str, Any]:
    record = s.jobs.record(job_id)
    s.tensorboards.open(job_id, s.jobs.run_dir(record) / "tensorboard", s.settings.workdir / "logs")
    return {"job_id": job_id, "url": f"{path_prefix(job_id)}/"}


@proxy_router.api_route("/jobs/{job_id}/tensorboard/{path:path}", methods=["GET", "POST"], include_in_schema=False)
async def proxy(job_id: str, path: str, request: Request, s: ServicesDep,
                cookie: Annotated[str | None, Cookie(alias=TOKEN_COOKIE)] = None) -> Response:
    port = s.tensorboards.port(job_id)
    if port is None:
        raise NotFound(f"TensorBoard is not running for job {job_id}; open it from the dashboard "
                       f"(POST /jobs/{job_id}/tensorboard)")
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
    headers = {k: v for k, v in request.headers.items() if k.lower() in ("content-type", "accept", "x-xsrf-protected")}
    async with httpx.AsyncClient(timeout=120) as client:
        try:
            upstream = await client.request(request.method, f"http://127.0.0.1:{port}{path_prefix(job_id)}/{path}",
                                            params=query, content=await request.body(), headers=headers)
        except httpx.HTTPError as exc:
            raise UpstreamFailed(f"TensorBoard for job {job_id} did not answer ({type(exc).__name__}); open it "
                                 "again from the dashboard") from None
    response = Response(upstream.content, upstream.status_code,
                        headers={k: v for k, v in upstream.headers.items() if k.lower() in _PASSED_BACK})
    token = request.query_params.get("token")
    if token and token != cookie:  # checked by the dependency: remember it for the page's own requests
        response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict", path=path_prefix(job_id))
    return response
