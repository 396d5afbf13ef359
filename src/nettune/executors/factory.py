"""make_executor: the executor a study's config asks for (local processes, or a remote endpoint)."""

from __future__ import annotations

from pathlib import Path

from nettune.config import OptimizationConfig
from nettune.errors import ConfigError
from nettune.executors.base import Executor
from nettune.executors.local import LocalExecutor
from nettune.executors.placement import local_placements


def make_executor(config: OptimizationConfig) -> Executor:
    """`concurrent_workers` left to auto (None) here means one: optimize() resolves auto before it calls this."""
    workers = config.concurrent_workers or 1
    if config.follow_only:  # runs nothing: one idle thread rather than idle worker processes
        return LocalExecutor(1)
    if not config.use_runpod_service:
        return LocalExecutor(workers, placements=local_placements(config.device, workers, config.gpus_per_worker))
    from nettune.artifacts.datasets import ship_dataset
    from nettune.artifacts.s3 import parse_s3_url
    from nettune.data import default_data_dir
    from nettune.executors.remote import EndpointClient, RemoteExecutor, RemoteSettings, resolve_endpoint
    from nettune.executors.remote.access import RUNPOD_KEY_ENV, api_key_for, check_transport, is_runpod
    from nettune.executors.remote.dotenv import ENDPOINT_ENV, remote_environment
    from nettune.worker.schema import ArtifactTarget

    env = remote_environment()
    url = resolve_endpoint(config.runpod_endpoint or env.get(ENDPOINT_ENV))
    check_transport(url)
    api_key = api_key_for(url, env)
    if api_key is None and is_runpod(url):
        raise ConfigError(f"a RunPod endpoint needs an API key: set {RUNPOD_KEY_ENV}")
    store = None
    if config.artifact_store:
        parse_s3_url(config.artifact_store)  # a clear error now rather than on the worker
        # Each run gets its own folder in the store, so two studies never overwrite each other's bundles.
        store = f"{config.artifact_store.rstrip('/')}/{config.resolved_run_name()}"
    settings = RemoteSettings(artifacts=ArtifactTarget(store=store, endpoint_url=config.s3_endpoint_url),
                              s3_endpoint_url=config.s3_endpoint_url)
    settings.inline_dataset = ship_dataset(config.dataset, Path(config.data_dir) if config.data_dir else
                                           default_data_dir(), store, config.s3_endpoint_url)
    fallback = (lambda: LocalExecutor(workers)) if config.runpod_fallback_local else None
    return RemoteExecutor(EndpointClient(url, api_key), workers, settings, fallback)
