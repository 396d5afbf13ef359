"""Trials and the best model of a job."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from nettune.api.deps import ServicesDep
from nettune.api.models import BestModel, ErrorResponse, TrialDetail, TrialList

router = APIRouter(tags=["trials"])
NOT_FOUND = {404: {"model": ErrorResponse, "description": "no such job or trial"}}
NOT_YET = {409: {"model": ErrorResponse, "description": "no completed trial yet"}}


@router.get("/jobs/{job_id}/trials", response_model=TrialList, responses=NOT_FOUND, summary="A job's trials")
def list_trials(job_id: str, s: ServicesDep) -> dict[str, Any]:
    return {"job_id": job_id, "trials": s.results.trials(job_id)}


@router.get("/jobs/{job_id}/trials/{n}", response_model=TrialDetail, response_model_by_alias=True,
            responses=NOT_FOUND, summary="One trial with health, history and architecture graph")
def get_trial(job_id: str, n: int, s: ServicesDep) -> dict[str, Any]:
    return s.results.trial(job_id, n)


@router.get("/jobs/{job_id}/best-model", response_model=BestModel, responses={**NOT_FOUND, **NOT_YET},
            summary="The best completed trial with its architecture graph, health and metrics")
def best_model(job_id: str, s: ServicesDep) -> dict[str, Any]:
    return s.results.best_model(job_id)
