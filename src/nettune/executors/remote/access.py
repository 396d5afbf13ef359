"""Which endpoint gets which key, over which transport, and which endpoints a server's operator allows.

A RunPod key goes only to RunPod's own API; a self-hosted endpoint gets only the self-hosted worker key. No key
ever travels over plain HTTP off loopback. An API server runs remote trials only on endpoints its operator
listed at `nettune serve --allow-endpoint`, so a client holding just the dashboard token cannot point the
server's key (or the server itself) at an address of its choosing.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from urllib.parse import urlparse

from nettune.errors import ConfigError
from nettune.executors.remote.client import resolve_endpoint
from nettune.netaddr import is_loopback

RUNPOD_KEY_ENV = "RUNPOD_API_KEY"
WORKER_KEY_ENV = "NETTUNE_WORKER_API_KEY"
RUNPOD_HOST = "api.runpod.ai"


def is_runpod(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme == "https" and (parsed.hostname or "").lower() == RUNPOD_HOST


def api_key_for(url: str, environ: Mapping[str, str] = os.environ) -> str | None:
    """The key meant for this kind of endpoint, from its own variable only."""
    return (environ.get(RUNPOD_KEY_ENV) if is_runpod(url) else environ.get(WORKER_KEY_ENV)) or None


def key_variable(url: str) -> str:
    return RUNPOD_KEY_ENV if is_runpod(url) else WORKER_KEY_ENV


def check_transport(url: str) -> None:
    """Plain HTTP only on loopback: anywhere else the key and the trials' results would cross the network bare."""
    parsed = urlparse(url)
    if parsed.scheme == "http" and not is_loopback(parsed.hostname or ""):
        raise ConfigError(f"runpod_endpoint={url} uses plain http off this machine; put TLS in front of the "
                          "worker (https://...) or reach it through an SSH tunnel on 127.0.0.1")


def check_allowed(endpoint: str | None, allowed: Iterable[str]) -> None:
    """An API server's rule: only endpoints its operator allowed (compared as resolved base URLs)."""
    url = resolve_endpoint(endpoint)
    permitted = {resolve_endpoint(a) for a in allowed}
    if url not in permitted:
        hint = "this server allows no remote endpoint" if not permitted else "it is not in this server's allow-list"
        raise ConfigError(f"runpod_endpoint={endpoint} cannot be used: {hint}; the server's operator can allow "
                          "it with 'nettune serve --allow-endpoint ENDPOINT'")
