"""Fixtures for the dataset tests: no test may reach beyond 127.0.0.1, and real data comes from tests/genuine.py."""

from __future__ import annotations

import functools
import http.server
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from nettune.data import download
from tests.genuine import NAMES, genuine


def closed_local_url() -> str:
    """An http URL on 127.0.0.1 where nothing listens: connecting fails at once (refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def closed_url() -> str:
    return closed_local_url()


@pytest.fixture(autouse=True)
def _local_network_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    # Every source URL points at a closed local port unless a test serves files itself, so a missing
    # file can never send a test to the real dataset hosts or registries.
    dead = closed_local_url()
    for env in ("NETTUNE_DATASET_MIRROR", "NETTUNE_NPM_REGISTRY", "NETTUNE_DEBIAN_MIRROR", "NETTUNE_PYPI_INDEX"):
        monkeypatch.setenv(env, dead)
    monkeypatch.setenv("NETTUNE_DATA_DIR", str(tmp_path / "default-data-dir"))
    download.forget_dead_hosts()
    yield
    download.forget_dead_hosts()


@pytest.fixture(scope="session")
def real_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir whose mnist/, fashion_mnist/ and imdb/ link to the genuine copies.

    Session-scoped so the decoded cache is built once and reused, as it would be for a user.
    """
    root = tmp_path_factory.mktemp("real-data")
    for name in NAMES:
        (root / name).mkdir()
        for f in genuine(name).iterdir():
            (root / name / f.name).symlink_to(f)
    return root


@pytest.fixture
def mnist_dir() -> Path:
    return genuine("mnist")


@pytest.fixture
def fashion_mnist_dir() -> Path:
    return genuine("fashion_mnist")


@pytest.fixture
def imdb_dir() -> Path:
    return genuine("imdb")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass  # one access-log line per request would bury pytest's own output


@pytest.fixture
def http_root(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A real HTTP server on 127.0.0.1 serving a temporary folder: (base URL, folder)."""
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()
