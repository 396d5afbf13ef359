"""Reference data: glossary, server health."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter

from nettune import __version__
from nettune.api.deps import ServicesDep
from nettune.api.models import Glossary, HealthStatus, ServerLimits
from nettune.api.services.glossary import glossary as services_glossary

router = APIRouter(tags=["reference"])


@router.get("/glossary", response_model=Glossary, summary="Explanations of hyperparameters, health numbers, options")
def glossary() -> dict[str, Any]:
    return services_glossary()


@router.get("/health", response_model=HealthStatus, summary="Server status")
def health(s: ServicesDep) -> dict[str, Any]:
    return {"status": "ok", "version": __version__, "uptime_s": time.time() - s.started, "jobs": s.jobs.counts(),
            "max_running_jobs": s.settings.max_running_jobs, "limits": ServerLimits.of(s.settings),
            "auth_required": s.settings.auth_required}
