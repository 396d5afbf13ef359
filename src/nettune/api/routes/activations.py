"""A trained trial's forward pass on one test example: the dashboard's forward-propagation view."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from nettune.api.deps import ServicesDep
from nettune.api.models import ErrorResponse, ForwardPass

router = APIRouter(tags=["trials"])
ERRORS = {404: {"model": ErrorResponse, "description": "no such job, trial or test example"},
          409: {"model": ErrorResponse, "description": "the trial has no trained model (or its data is gone)"}}
Example = Annotated[int, Query(ge=0, description="index into the trial's test split")]


@router.get("/jobs/{job_id}/trials/{n}/activations", response_model=ForwardPass, responses=ERRORS,
            summary="One test example through a trial's trained model: per-layer activation summaries")
def trial_activations(job_id: str, n: int, s: ServicesDep, example: Example = 0) -> dict[str, Any]:
    return s.activations.trial(job_id, n, example)


@router.get("/jobs/{job_id}/best-model/activations", response_model=ForwardPass, responses=ERRORS,
            summary="One test example through the best model: per-layer activation summaries")
def best_activations(job_id: str, s: ServicesDep, example: Example = 0) -> dict[str, Any]:
    return s.activations.best(job_id, example)
