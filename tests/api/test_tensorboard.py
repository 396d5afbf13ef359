"""TensorBoard for a job through `nettune serve`: a real tensorboard process on loopback, proxied under the token."""

from __future__ import annotations

import time

import pytest

from nettune.api.services import tensorboard as tb_service

from .conftest import FAST_JOB, TOKEN, LoopbackClient, make_settings, running_client, wait_for

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def server(api_home, mnist_data_dir):
    settings = make_settings(api_home / "tensorboard", mnist_data_dir, token=TOKEN)
    with running_client(settings) as client:
        yield client


def test_a_jobs_tensorboard_opens_through_the_server(server):
    body = {"dataset": "mnist", "trials": 1, "max_epochs_per_trial": 1, "data_fraction": 0.02, "mode": "simple",
            "tensorboard": True, "plot_generation": "none", "run_name": "with-tb"}
    job = server.post("/optimize", json=body, headers=AUTH).json()
    assert wait_for(server, job["job_id"], ("COMPLETED", "FAILED"), timeout=120, headers=AUTH)["state"] == "COMPLETED"
    assert server.post(f"/jobs/{job['job_id']}/tensorboard").status_code == 401
    opened = server.post(f"/jobs/{job['job_id']}/tensorboard", headers=AUTH)
    assert opened.status_code == 200, opened.text
    url = opened.json()["url"]
    assert url == f"/jobs/{job['job_id']}/tensorboard/"

    page = server.get(url, params={"token": TOKEN})
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "tf-tensorboard" in page.text or "TensorBoard" in page.text
    assert "nettune_token" in page.headers.get("set-cookie", "")
    # The page's own requests carry only the cookie; TensorBoard lists the trial's event files as a run.
    deadline, runs = time.monotonic() + 30, {}
    while not runs and time.monotonic() < deadline:
        runs = server.get(f"{url}data/runs").json()
        time.sleep(0.5)
    assert any("0000" in run for run in runs), runs
    # A second open finds the same process.
    assert server.post(f"/jobs/{job['job_id']}/tensorboard", headers=AUTH).json()["url"] == url

    stranger = LoopbackClient(server.app)
    assert stranger.get(f"{url}data/runs").status_code == 401  # no token, no cookie


def test_a_job_without_event_files_and_a_server_without_tensorboard(server, monkeypatch):
    job = server.post("/optimize", json={**FAST_JOB, "trials": 1, "run_name": "no-tb"}, headers=AUTH).json()
    wait_for(server, job["job_id"], ("COMPLETED", "FAILED"), headers=AUTH)
    refused = server.post(f"/jobs/{job['job_id']}/tensorboard", headers=AUTH)
    assert refused.status_code == 409 and "start a job with tensorboard=true" in refused.json()["detail"]
    assert server.get(f"/jobs/{job['job_id']}/tensorboard/", headers=AUTH).status_code == 404  # not running

    monkeypatch.setattr(tb_service.importlib.util, "find_spec", lambda name: None)
    missing = server.post(f"/jobs/{job['job_id']}/tensorboard", headers=AUTH)
    assert missing.status_code == 501 and missing.json()["detail"] == tb_service.INSTALL_HINT
