"""The services one app instance uses, reachable from routes as a FastAPI dependency."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request, WebSocket

from nettune.api.services.activations import ActivationService
from nettune.api.services.hub import EventHub
from nettune.api.services.jobs import JobManager
from nettune.api.services.results import ResultService
from nettune.api.services.tensorboard import TensorBoards
from nettune.api.services.uploads import UploadService
from nettune.api.settings import ApiSettings


@dataclass
class Services:
    settings: ApiSettings
    hub: EventHub
    jobs: JobManager
    results: ResultService
    uploads: UploadService
    activations: ActivationService
    tensorboards: TensorBoards = field(default_factory=TensorBoards)
    started: float = field(default_factory=time.time)


def services(request: Request) -> Services:
    return request.app.state.services


def ws_services(websocket: WebSocket) -> Services:
    return websocket.app.state.services


ServicesDep = Annotated[Services, Depends(services)]
