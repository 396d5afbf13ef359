"""Authentication: token on every endpoint and WebSocket, refusal to serve off-loopback without one."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from starlette.testclient import WebSocketDenialResponse

from nettune.api.app import create_app
from nettune.api.settings import ApiSettings
from nettune.errors import ConfigError

from .conftest import FAST_JOB, TOKEN, make_settings, running_client, wait_for

GOOD = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def client(api_home):
    with running_client(make_settings(api_home / "auth", None, token=TOKEN, static_dir=api_home / "none")) as client:
        yield client


def _every_operation(client):
    schema = client.get("/openapi.json", headers=GOOD).json()
    for path, operations in schema["paths"].items():
        concrete = re.sub(r"\{n\}", "0", re.sub(r"\{[a-z_]+\}", "x", path))
        for method in operations:
            yield method.upper(), concrete
    yield "GET", "/openapi.json"
    yield "GET", "/docs"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token-000"}, {"Authorization": TOKEN},
                                     {"Authorization": f"Basic {TOKEN}"}])
def test_every_endpoint_needs_the_token(client, headers):
    operations = list(_every_operation(client))
    assert len(operations) >= 18
    for method, path in operations:
        response = client.request(method, path, headers=headers, json={"trials": 1} if method == "POST" else None)
        assert response.status_code == 401, (method, path, response.status_code)
        assert response.json()["detail"].startswith("missing or wrong bearer token")
        assert response.headers["www-authenticate"] == "Bearer"


def test_the_right_token_opens_every_endpoint(client):
    for method, path in _every_operation(client):
        response = client.request(method, path, headers=GOOD)
        assert response.status_code != 401, (method, path)
    assert client.get("/health", headers=GOOD).json()["auth_required"] is True


FILE_PATHS = ("/jobs/x/plots", "/jobs/x/plots/a.png", "/jobs/x/trials/0/plots/a.png", "/jobs/x/best-model/download",
              "/download/x")


def test_file_urls_also_take_the_token_as_a_query_parameter(client):
    for path in FILE_PATHS:  # an <img src> or a download link cannot carry a header
        assert client.get(f"{path}?token={TOKEN}").status_code == 404  # past authentication: no such job
        assert client.get(f"{path}?token=wrong-token-000").status_code == 401
    for path in ("/jobs", "/jobs/x", "/health", "/jobs/x/trials"):
        assert client.get(f"{path}?token={TOKEN}").status_code == 401  # everything else: the header only


def test_websockets_need_the_token(client):
    for path in ("/ws", "/ws/jobs/x", "/ws?token=wrong-token-000"):
        with pytest.raises(WebSocketDenialResponse) as denied:
            client.websocket_connect(path).__enter__()
        assert denied.value.status_code == 401
    with client.websocket_connect(f"/ws?token={TOKEN}") as ws:
        assert ws.receive_json()["type"] == "snapshot"
    with client.websocket_connect("/ws", headers=GOOD) as ws:
        assert ws.receive_json()["data"] == {"jobs": []}


def test_dashboard_page_loads_without_the_token(client):
    assert client.get("/").status_code == 200  # so it can ask for the token


def test_off_loopback_needs_a_token(tmp_path):
    for host in ("0.0.0.0", "192.168.1.10", "::", "example.org"):
        with pytest.raises(ConfigError, match=r"refusing to listen on .* without a token"):
            create_app(ApiSettings(host=host, output_dir=tmp_path))
    for host in ("127.0.0.1", "::1", "localhost", "127.0.0.2"):
        ApiSettings(host=host, output_dir=tmp_path).validate()
    secured = ApiSettings(host="0.0.0.0", token=TOKEN, output_dir=tmp_path)
    secured.validate()
    assert secured.auth_required
    with pytest.raises(ConfigError, match="too short"):
        ApiSettings(token="abc", output_dir=tmp_path).validate()


def test_token_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("NETTUNE_API_TOKEN", TOKEN)
    assert ApiSettings.from_env(host="0.0.0.0", output_dir=tmp_path).token == TOKEN
    assert ApiSettings.from_env(token="flag-token-123", output_dir=tmp_path).token == "flag-token-123"


def test_cli_refuses_off_loopback_without_a_token_in_one_line(tmp_path, monkeypatch):
    monkeypatch.delenv("NETTUNE_API_TOKEN", raising=False)
    done = subprocess.run([sys.executable, "-m", "nettune.cli.main", "serve", "--host", "0.0.0.0", "--output-dir",
                           str(tmp_path)], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert done.stderr.startswith("nettune: error: refusing to listen on 0.0.0.0 without a token")


def test_html_plots_opened_with_the_token_load_plotly(tmp_path, mnist_data_dir):
    with running_client(make_settings(tmp_path, mnist_data_dir, token=TOKEN)) as client:
        job = client.post("/optimize", json={**FAST_JOB, "plot_generation": "best"}, headers=GOOD).json()
        wait_for(client, job["job_id"], ("COMPLETED",), headers=GOOD)
        plots = client.get(f"/jobs/{job['job_id']}/plots", headers=GOOD).json()["study"]
        page_name = next(name for name in plots if name.endswith(".html"))
        page = client.get(f"/jobs/{job['job_id']}/plots/{page_name}?token={TOKEN}")  # as a browser opens it
        assert page.status_code == 200 and 'src="/vendor/plotly.min.js"' in page.text
        assert 'src="plotly.min.js"' not in page.text
        library = client.get("/vendor/plotly.min.js")  # what the page's <script src> then asks, without a token
        assert library.status_code == 200 and len(library.content) > 1_000_000
        assert "javascript" in library.headers["content-type"]
