"""make_executor: the executor a study's config asks for (local processes, or a remote endpoint)."""

from __future__ import annotations

import os

from nettune.config import OptimizationConfig
from nettune.errors import ConfigError
from nettune.executors.base import Executor
from nettune.executors.local import LocalExecutor

API_KEY_ENVS = ("RUNPOD_API_KEY", "NETTUNE_WORKER_API_KEY")


def make_executor(config: OptimizationConfig) -> Executor:
    if config.follow_only:  # runs nothing: one idle thread rather than idle worker processes
        return LocalExecutor(1)
    if not config.use_runpod_service:
        return LocalExecutor(config.concurrent_workers)
    from nettune.artifacts.s3 import parse_s3_url
    from nettune.executors.remote import EndpointClient, RemoteExecutor, RemoteSettings, resolve_endpoint
    from nettune.worker.schema import ArtifactTarget

    url = resolve_endpoint(config.runpod_endpoint)
    api_key = next((os.environ[k] for k in API_KEY_ENVS if os.environ.get(k)), None)
    if api_key is None and url.startswith("https://api.runpod.ai/"):
        raise ConfigError("a RunPod endpoint needs an API key: set RUNPOD_API_KEY")
    store = None
    if config.artifact_store:
        parse_s3_url(config.artifact_store)  # a clear error now rather than on the worker
        # Each run gets its own folder in the store, so two studies never overwrite each other's bundles.
        store = f"{config.artifact_store.rstrip('/')}/{config.resolved_run_name()}"
    settings = RemoteSettings(artifacts=ArtifactTarget(store=store, endpoint_url=config.s3_endpoint_url),
                              s3_endpoint_url=config.s3_endpoint_url)
    fallback = (lambda: LocalExecutor(config.concurrent_workers)) if config.runpod_fallback_local else None
    return RemoteExecutor(EndpointClient(url, api_key), config.concurrent_workers, settings, fallback)
