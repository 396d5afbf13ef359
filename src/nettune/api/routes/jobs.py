"""Jobs: start, list, inspect, cancel and resume."""

from __future__ import annotations

from fastapi import APIRouter

from nettune.api.deps import ServicesDep
from nettune.api.models import ErrorResponse, Job, JobList, OptimizeRequest
from nettune.api.services.job_views import JobView

router = APIRouter(tags=["jobs"])
NOT_FOUND = {404: {"model": ErrorResponse, "description": "no such job"}}
CONFLICT = {409: {"model": ErrorResponse, "description": "the job's state does not allow this"}}
INVALID = {422: {"model": ErrorResponse, "description": "invalid request (fields, server limits, body size)"}}
QUEUE_FULL = {429: {"model": ErrorResponse, "description": "the job queue is full"}}


@router.post("/optimize", status_code=202, response_model=Job, responses={**CONFLICT, **INVALID, **QUEUE_FULL},
             summary="Start a job")
def optimize(body: OptimizeRequest, s: ServicesDep) -> JobView:  # type: ignore[valid-type]
    return s.jobs.create(body.model_dump(exclude_unset=True))  # type: ignore[attr-defined]


@router.get("/jobs", response_model=JobList, summary="Every job, newest first")
def list_jobs(s: ServicesDep) -> dict[str, list[JobView]]:
    return {"jobs": s.jobs.list()}


@router.get("/jobs/{job_id}", response_model=Job, responses=NOT_FOUND, summary="One job")
def get_job(job_id: str, s: ServicesDep) -> JobView:
    return s.jobs.get(job_id)


@router.post("/jobs/{job_id}/cancel", status_code=202, response_model=Job, responses={**NOT_FOUND, **CONFLICT},
             summary="Cancel a job (completed trials are kept)")
def cancel_job(job_id: str, s: ServicesDep) -> JobView:
    return s.jobs.cancel(job_id)


@router.delete("/jobs/{job_id}", status_code=202, response_model=Job, responses={**NOT_FOUND, **CONFLICT},
               summary="Cancel a job (same as POST /jobs/{job_id}/cancel)")
def delete_job(job_id: str, s: ServicesDep) -> JobView:
    return s.jobs.cancel(job_id)


@router.post("/jobs/{job_id}/resume", status_code=202, response_model=Job,
             responses={**NOT_FOUND, **CONFLICT, **QUEUE_FULL}, summary="Resume a cancelled or interrupted job")
def resume_job(job_id: str, s: ServicesDep) -> JobView:
    return s.jobs.resume(job_id)
