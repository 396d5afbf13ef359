"""Run trials on a RunPod serverless endpoint or a self-hosted one speaking the same protocol.

client.py speaks the REST protocol (retries, backoff, rate limits, circuit breaker), trial.py follows one
trial's remote job, executor.py implements the Executor protocol with local fallback.
"""

from nettune.executors.remote.client import EndpointClient, EndpointUnavailable, RemoteError, resolve_endpoint
from nettune.executors.remote.executor import RemoteExecutor
from nettune.executors.remote.trial import RemoteSettings

__all__ = ["EndpointClient", "EndpointUnavailable", "RemoteError", "RemoteExecutor", "RemoteSettings",
           "resolve_endpoint"]
