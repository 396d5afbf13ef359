"""The contract: docs/api.md matches the app, requests are validated with one-line errors, reference endpoints."""

from __future__ import annotations

import re
from pathlib import Path

import optuna
import pytest
from fastapi.routing import APIWebSocketRoute

from nettune.api.app import create_app
from nettune.api.models import OptimizeRequest
from nettune.api.services.glossary import HEALTH_TERMS
from nettune.data.types import DatasetInfo
from nettune.health import METRIC_NAMES
from nettune.space.model_config import ModelConfig
from nettune.space.search_space import SpaceOptions, suggest_model_config

from .conftest import make_settings, running_client

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"


@pytest.fixture(scope="module")
def client(api_home):
    settings = make_settings(api_home / "contract", api_home / "contract" / "no-data", max_body_bytes=4096,
                             cors_origins=("http://localhost:5173",), static_dir=api_home / "contract" / "unbuilt")
    with running_client(settings) as client:
        yield client


def _routes(routes):
    for route in routes:  # included routers nest their routes
        if hasattr(route, "original_router"):
            yield from _routes(route.original_router.routes)
        else:
            yield route


def test_documented_endpoints_are_exactly_the_apps(tmp_path):
    text = DOCS.read_text()
    documented = {(m, p) for line in text.splitlines() if line.startswith("### ")
                  for m, p in re.findall(r"`(GET|POST|PUT|PATCH|DELETE) (/[^`]*)`", line)}
    app = create_app(make_settings(tmp_path, None))
    actual = {(method.upper(), path) for path, ops in app.openapi()["paths"].items() for method in ops}
    assert documented == actual
    sockets = {r.path for r in _routes(app.routes) if isinstance(r, APIWebSocketRoute)}
    assert sockets == {"/ws/jobs/{job_id}", "/ws"}
    assert all(f"`{path}`" in text for path in sockets)


def test_openapi_docs_health_and_glossary(client):
    schema = client.get("/openapi.json").json()
    assert "/optimize" in schema["paths"] and "OptimizeRequest" in schema["components"]["schemas"]
    assert "swagger" in client.get("/docs").text.lower()
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["auth_required"] is False and health["max_running_jobs"] == 1
    assert health["jobs"]["RUNNING"] == 0
    assert health["limits"] == {"trials": 10, "max_epochs_per_trial": 3, "concurrent_workers": 2, "body_bytes": 4096,
                                "queued_jobs": 100}

    glossary = client.get("/glossary").json()
    assert set(glossary["health_metrics"]) == set(METRIC_NAMES) | set(HEALTH_TERMS)
    for term in ("health_overall", "dead", "saturated", "grad_norm_mean", "grad_score", "overfitting_gap"):
        assert term in glossary["health_metrics"]
    assert set(glossary["options"]) == set(OptimizeRequest.model_fields)
    explained = set(glossary["hyperparameters"]) | set(glossary["param_aliases"])
    for entry in (*glossary["hyperparameters"].values(), *glossary["health_metrics"].values()):
        assert entry["title"] and entry["what"] and entry["why"] and entry["bad_value"]
    # Every parameter the search suggests, for both model families, has an explanation.
    image = DatasetInfo("images", "image", 10, tuple("0123456789"), (3, 32, 32))
    text = DatasetInfo("texts", "text", 2, ("neg", "pos"), (64,), vocab_size=100)
    for info in (image, text):
        study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
        for _ in range(30):
            trial = study.ask()
            cfg = suggest_model_config(trial, info, SpaceOptions(max_epochs=3))
            study.tell(trial, 0.0)
            assert set(trial.params) <= explained, set(trial.params) - explained
            assert isinstance(cfg, ModelConfig)


def test_datasets_say_what_is_available_offline(client, mnist_data_dir, api_home):
    listed = {d["name"]: d for d in client.get("/datasets").json()["datasets"]}
    assert listed["mnist"]["task"] == "image classification" and listed["mnist"]["family"] == "cnn"
    assert listed["imdb"]["modality"] == "text" and listed["mnist"]["num_classes"] == 10
    assert not listed["mnist"]["available_offline"]  # this server's data dir is empty
    with running_client(make_settings(api_home / "with-data", mnist_data_dir)) as other:
        listed = {d["name"]: d for d in other.get("/datasets").json()["datasets"]}
    assert listed["mnist"]["available_offline"] and not listed["cifar10"]["available_offline"]


@pytest.mark.parametrize(("body", "message"), [
    ({"trials": 0, "max_epochs_per_trial": 1}, "trials: Input should be greater than or equal to 1"),
    ({"trials": 11, "max_epochs_per_trial": 1}, "trials=11 exceeds this server's limit of 10 (--max-trials)"),
    ({"trials": 2, "max_epochs_per_trial": 4}, "max_epochs_per_trial=4 exceeds this server's limit of 3"),
    ({"trials": 2, "max_epochs_per_trial": 1, "concurrent_workers": 3}, "concurrent_workers=3 exceeds"),
    ({"max_epochs_per_trial": 1}, "trials=20 (the default) exceeds this server's limit of 10"),
    ({"trials": 2, "output_dir": "/tmp"}, "output_dir cannot be set through the API"),
    ({"trials": 2, "data_dir": "/"}, "data_dir cannot be set through the API"),
    ({"trials": 2, "storage": "sqlite:////tmp/x.db"}, "storage cannot be set through the API"),
    ({"trials": 2, "max_epochs_per_trial": 1, "dataset": "mnistt"},
     "dataset='mnistt' is neither a built-in dataset (mnist, fashion_mnist, cifar10, cifar100, gtsrb, imdb, "
     "reuters) nor an uploaded one (did you mean 'mnist'?)"),
    ({"trials": 2, "dataset": "../data"}, "dataset: String should match pattern"),
    ({"trails": 2}, "unknown field 'trails' (did you mean 'trials'?)"),
    ({"trials": 2, "run_name": "../../etc"}, "run_name: String should match pattern"),
    ({"trials": 2, "health_weight": 2}, "health_weight: Input should be less than or equal to 1"),
    ({"trials": 2, "data_fraction": 0}, "data_fraction: Input should be greater than 0"),
    ({"trials": "many"}, "trials: Input should be a valid integer"),
])
def test_invalid_requests_get_one_line_422(client, body, message):
    response = client.post("/optimize", json=body)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert message in detail and "\n" not in detail


@pytest.mark.parametrize(("content", "message"), [
    (b"[1, 2]", "the request body must be a JSON object"),
    (b"{not json", "the request body is not valid JSON"),
    (b"", "a JSON object body is required"),
])
def test_malformed_bodies_get_one_line_422(client, content, message):
    response = client.post("/optimize", content=content, headers={"content-type": "application/json"})
    assert response.status_code == 422 and message in response.json()["detail"]


def test_body_size_limit_with_and_without_content_length(client):
    big = {"trials": 2, "run_name": "a" * 5000}
    response = client.post("/optimize", json=big)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("request body is") and "at most 4096" in response.json()["detail"]

    def chunks():  # no Content-Length: the server must count what arrives
        for _ in range(10):
            yield b" " * 1000
    response = client.post("/optimize", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 422 and "at most 4096" in response.json()["detail"]


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/jobs/nope"), ("GET", "/jobs/nope/trials"), ("GET", "/jobs/nope/trials/0"),
    ("GET", "/jobs/nope/best-model"), ("GET", "/jobs/nope/best-model/download"), ("GET", "/download/nope"),
    ("GET", "/jobs/nope/plots"), ("GET", "/jobs/nope/plots/a.png"), ("GET", "/jobs/nope/trials/0/plots/a.png"),
    ("POST", "/jobs/nope/cancel"), ("DELETE", "/jobs/nope"), ("POST", "/jobs/nope/resume"),
])
def test_unknown_job_is_404_with_a_reason(client, method, path):
    response = client.request(method, path)
    assert response.status_code == 404
    assert response.json() == {"detail": "no job with id 'nope'"}


def test_unknown_websocket_job_is_closed_4404(client):
    from starlette.websockets import WebSocketDisconnect

    with client.websocket_connect("/ws/jobs/nope") as ws, pytest.raises(WebSocketDisconnect) as closed:
        ws.receive_text()
    assert closed.value.code == 4404


def test_dashboard_not_built_page_and_api_404s(client):
    page = client.get("/")
    assert page.status_code == 200 and "make install" in page.text
    missing = client.get("/jobs/x/nothing/here")
    assert missing.status_code == 404 and missing.json()["detail"].startswith("no endpoint /jobs/x/nothing/here")
    assert client.get("/no-such-file.js").status_code == 404


def test_built_dashboard_is_served_with_spa_fallback(api_home, tmp_path):
    static = tmp_path / "static"
    (static / "assets").mkdir(parents=True)
    (static / "index.html").write_text("<html>dashboard</html>")
    (static / "assets" / "app.js").write_text("console.log('app')")
    (tmp_path / "secret.txt").write_text("outside")
    (static / "assets" / "link.txt").symlink_to(tmp_path / "secret.txt")
    with running_client(make_settings(api_home / "static", None, static_dir=static)) as client:
        assert client.get("/").text == "<html>dashboard</html>"
        assert client.get("/assets/app.js").text == "console.log('app')"
        assert client.get("/trials/3").text == "<html>dashboard</html>"  # a client-side route
        assert client.get("/assets/link.txt").status_code == 404  # symlink out of the static dir
        assert client.get("/assets/..%2F..%2Fsecret.txt").status_code == 404
        assert client.get("/health").json()["status"] == "ok"  # API routes are not shadowed
        assert client.get("/jobs/x/y").headers["content-type"] == "application/json"


def test_cors_allowlist(client):
    preflight = {"access-control-request-method": "POST", "access-control-request-headers": "content-type"}
    allowed = client.options("/optimize", headers={"origin": "http://localhost:5173", **preflight})
    assert allowed.headers.get("access-control-allow-origin") == "http://localhost:5173"
    other = client.get("/health", headers={"origin": "http://evil.example"})
    assert "access-control-allow-origin" not in other.headers
