"""Fixtures for scale-out tests: a real PostgreSQL server (private, loopback only), fast heartbeats, and a way
to run the real `nettune` command in a child process that a test can kill -9."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import optuna
import pytest
import sqlalchemy

from tests.scale.postgres import PostgresUnavailable, PrivatePostgres

FAST_HEARTBEAT = {"NETTUNE_HEARTBEAT_INTERVAL": "1", "NETTUNE_HEARTBEAT_GRACE": "3", "NETTUNE_MAX_RETRY": "2"}
_databases = itertools.count()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PrivatePostgres]:
    if os.environ.get("NETTUNE_SKIP_POSTGRES") == "1":
        pytest.skip("NETTUNE_SKIP_POSTGRES=1: tests that need PostgreSQL are skipped on request")
    try:
        server = PrivatePostgres().start()
    except PostgresUnavailable as exc:
        pytest.fail(f"PostgreSQL could not be started for the scale-out tests: {exc}", pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def pg_url(postgres: PrivatePostgres, request: pytest.FixtureRequest) -> str:
    """A fresh database for this test, as a plain postgresql:// URL (nettune picks the installed driver)."""
    name = re.sub(r"[^a-z0-9_]", "_", request.node.name.lower())[:40] + f"_{next(_databases)}"
    return postgres.create_database(name)


def optuna_url(url: str) -> str:
    """The URL for plain Optuna (and its CLI), which SQLAlchemy 2.1 needs with the psycopg2 driver named."""
    return url.replace("postgresql://", "postgresql+psycopg2://", 1)


@pytest.fixture
def fast_heartbeat(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for key, value in FAST_HEARTBEAT.items():
        monkeypatch.setenv(key, value)
    return FAST_HEARTBEAT


@pytest.fixture
def nettune_process(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Start `nettune ARGS...` (the real CLI) in a child process; every one still running is killed at the end."""
    started: list[subprocess.Popen[str]] = []

    def start(*args: str, log: str) -> subprocess.Popen[str]:
        out = (tmp_path / log).open("w")
        proc = subprocess.Popen([sys.executable, "-m", "nettune.cli.main", *args], stdout=out,
                                stderr=subprocess.STDOUT, text=True, cwd=tmp_path, env={**os.environ})
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def wait_for(predicate: Callable[[], object], timeout: float, what: str, interval: float = 0.2) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def trials_of(url: str, study: str) -> list[optuna.trial.FrozenTrial]:
    """The study's trials as plain Optuna sees them (a fresh storage each call: no caching). Until the study exists
    this reads only: a watcher must not race the process that is creating the schema (or create the database)."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.exists():
            return []
        url = f"sqlite:///file:{path}?mode=ro&uri=true"
    engine = sqlalchemy.create_engine(optuna_url(url))
    try:
        with engine.connect() as conn:
            found = conn.execute(sqlalchemy.text("SELECT count(*) FROM studies WHERE study_name = :name"),
                                 {"name": study}).scalar()
    except sqlalchemy.exc.DBAPIError:
        found = 0  # no schema yet
    finally:
        engine.dispose()
    if not found:
        return []
    return optuna.load_study(study_name=study, storage=optuna_url(url)).get_trials(deepcopy=False)


def read_log(tmp_path: Path, log: str) -> str:
    path = tmp_path / log
    return path.read_text(errors="replace") if path.exists() else ""
