"""The job store on SQLite and on a real PostgreSQL server, and a restart that finds a dead server's jobs."""

from __future__ import annotations

import time

import pytest
from sqlalchemy.exc import IntegrityError

from nettune.api.services.store import JobRecord, JobStore
from nettune.errors import ConfigError
from tests.scale.postgres import PostgresUnavailable, PrivatePostgres

from .conftest import make_settings, running_client


@pytest.fixture(scope="module")
def postgres_url():
    try:
        server = PrivatePostgres().start()
    except PostgresUnavailable as exc:
        pytest.fail(f"PostgreSQL could not be started: {exc}", pytrace=False)
    yield server.create_database("nettune_api_jobs")
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'jobs.db'}"
    return request.getfixturevalue("postgres_url")


def _record(job_id: str, run_name: str, state: str = "QUEUED") -> JobRecord:
    return JobRecord(job_id=job_id, run_name=run_name, state=state, config={"trials": 3, "mode": "simple"},
                     created_at=time.time(), progress={"completed": 0})


def test_store_round_trip(store_url):
    store = JobStore(store_url)
    try:
        store.insert(_record("job1", "first"))
        store.insert(_record("job2", "second", state="RUNNING"))
        with pytest.raises(IntegrityError):
            store.insert(_record("job3", "first"))  # run names are unique
        store.update("job1", state="COMPLETED", progress={"completed": 3}, result={"best_trial": 1},
                     cancel_requested=True)
        first = store.get("job1")
        assert first.state == "COMPLETED" and first.progress == {"completed": 3} and first.result == {"best_trial": 1}
        assert first.cancel_requested is True and first.config == {"trials": 3, "mode": "simple"}
        assert store.by_run_name("second").job_id == "job2"
        assert store.mark_unfinished(("RUNNING", "QUEUED"), "INTERRUPTED", time.time()) == ["job2"]
        assert [r.job_id for r in store.all()] == ["job2", "job1"]  # newest first
        assert store.get("missing") is None
    finally:
        store.close()


def test_bad_jobs_database_url_is_one_line(tmp_path):
    with pytest.raises(ConfigError, match="cannot open the jobs database"):
        JobStore("postgresql://nobody@127.0.0.1:1/none")
    with pytest.raises(ConfigError, match="cannot read the jobs database URL"):
        JobStore("not a url")


def test_server_on_postgresql_lists_a_dead_servers_job_as_interrupted(postgres_url, api_home):
    leftover = JobStore(postgres_url)
    leftover.insert(_record("deadbeef0001", "left-running", state="RUNNING"))
    leftover.close()
    settings = make_settings(api_home / "pg", None, jobs_db=postgres_url)
    with running_client(settings) as client:
        job = client.get("/jobs/deadbeef0001").json()
        assert job["state"] == "INTERRUPTED" and job["finished_at"] is not None
        assert client.post("/optimize", json={"trials": 1, "max_epochs_per_trial": 1, "run_name": "left-running"}
                           ).status_code == 409
