"""JobConfigs: a job's request or stored config turned into a checked OptimizationConfig, within this server's
limits (trials, epochs, workers, the queue) and with an uploaded dataset's name resolved to its path."""

from __future__ import annotations

import difflib
import time
from dataclasses import fields
from typing import Any

from nettune.api.models import SERVER_DECIDED
from nettune.api.services.errors import InvalidRequest, LimitExceeded, NotFound, QueueFull
from nettune.api.services.uploads import UploadService
from nettune.api.settings import ApiSettings
from nettune.config import DATASETS, OptimizationConfig
from nettune.dataset_ref import builtin_name
from nettune.errors import ConfigError
from nettune.executors.layout import auto_ceiling
from nettune.executors.remote.access import check_allowed


class JobConfigs:
    def __init__(self, settings: ApiSettings, uploads: UploadService | None) -> None:
        self.settings, self.uploads = settings, uploads

    def for_request(self, request: dict[str, Any], job_id: str) -> tuple[OptimizationConfig, dict[str, Any]]:
        """The config of a new job and what the store keeps of it (the request's options, run_name filled in)."""
        self.check_limits(request)
        options = {k: v for k, v in request.items() if k not in SERVER_DECIDED}
        if not options.get("run_name"):
            options["run_name"] = (f"{options.get('dataset', 'mnist')}_{options.get('mode', 'health')}_"
                                   f"{time.strftime('%Y%m%d-%H%M%S')}_{job_id[:6]}")
        config = self.config(options)
        # Stored with the upload's name, not its path: the path is the server's business, resolved at each start.
        stored = {k: v for k, v in config.to_dict().items() if k not in SERVER_DECIDED} | \
            {"dataset": options.get("dataset", config.dataset)}
        return config, stored

    def check_limits(self, request: dict[str, Any]) -> None:
        s = self.settings
        defaults = {f.name: f.default for f in fields(OptimizationConfig)}
        for key, limit, flag in (("trials", s.max_trials, "--max-trials"),
                                 ("max_epochs_per_trial", s.max_epochs_per_trial, "--max-epochs"),
                                 ("concurrent_workers", s.max_concurrent_workers, "--max-workers")):
            value = request.get(key, defaults[key])
            if value is not None and value > limit:  # None (auto) is capped in config()
                given = "" if key in request else " (the default)"
                raise LimitExceeded(f"{key}={value}{given} exceeds this server's limit of {limit} ({flag})")

    def config(self, options: dict[str, Any]) -> OptimizationConfig:
        """Checked on every create and every start, so a server restarted with a shorter allow-list holds too."""
        if options.get("concurrent_workers") is None and auto_ceiling() > self.settings.max_concurrent_workers:
            options = {**options, "concurrent_workers": self.settings.max_concurrent_workers}
        dataset = options.get("dataset", "mnist")
        if builtin_name(str(dataset)) is None:  # an upload's name (the request model allows no paths)
            try:
                if self.uploads is None:
                    raise NotFound("this server takes no uploads")
                options = {**options, "dataset": str(self.uploads.path(dataset))}
            except NotFound:
                known = [*DATASETS, *(self.uploads.names() if self.uploads else [])]
                close = difflib.get_close_matches(str(dataset), known, n=1, cutoff=0.6)
                raise InvalidRequest(f"dataset={dataset!r} is neither a built-in dataset ({', '.join(DATASETS)}) "
                                     "nor an uploaded one" + (f" (did you mean {close[0]!r}?)" if close else "") +
                                     "; upload it with POST /datasets/uploads/{name}") from None
        try:
            config = OptimizationConfig(**options, output_dir=str(self.settings.output_dir),
                                        data_dir=str(self.settings.data_dir) if self.settings.data_dir else None)
            if config.use_runpod_service:
                check_allowed(config.runpod_endpoint, self.settings.allowed_endpoints)
            return config
        except ConfigError as exc:
            raise InvalidRequest(str(exc)) from None

    def check_queue_room(self, running: int, waiting: int) -> None:
        """Refuse another waiting job when the free running slots cannot take those waiting and the queue is full."""
        free = self.settings.max_running_jobs - running
        if free <= waiting and waiting >= self.settings.max_queued_jobs:
            raise QueueFull(f"the job queue is full ({waiting} jobs waiting); try again when a job has finished")
