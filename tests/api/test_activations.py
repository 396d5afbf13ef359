"""GET .../activations: one real test example through a really trained trial's saved model."""

from __future__ import annotations

import base64
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import torch

from nettune.api.services.activations import CACHE_SIZE
from nettune.data import load_dataset
from nettune.models import load_model
from tests.genuine import genuine

from .conftest import TOKEN, make_settings, running_client, wait_for

GOOD = {"Authorization": f"Bearer {TOKEN}"}


@contextmanager
def _one_trained_job(home, data_dir, dataset: str) -> Iterator[dict]:
    """A server that has run one real trial (the warm-start baseline) on 2% of `dataset`, one epoch: trained,
    saved, quick."""
    settings = make_settings(home, data_dir, token=TOKEN, static_dir=home / "none")
    with running_client(settings) as client:
        body = {"dataset": dataset, "trials": 1, "max_epochs_per_trial": 1, "data_fraction": 0.02,
                "plot_generation": "none", "run_name": f"acts_{dataset}", "seed": 1}
        created = client.post("/optimize", json=body, headers=GOOD)
        assert created.status_code == 202, created.text
        job_id = created.json()["job_id"]
        job = wait_for(client, job_id, ("COMPLETED", "FAILED"), timeout=240, headers=GOOD)
        assert job["state"] == "COMPLETED", job
        yield {"client": client, "job_id": job_id, "settings": settings, "data_dir": data_dir}


@pytest.fixture(scope="module")
def trained(api_home, mnist_data_dir):
    with _one_trained_job(api_home / "activations", mnist_data_dir, "mnist") as job:
        yield job


def get(trained, path):
    return trained["client"].get(f"/jobs/{trained['job_id']}{path}", headers=GOOD)


def test_the_forward_pass_is_the_saved_models_own(trained):
    answer = get(trained, "/trials/0/activations?example=5")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    trial_dir = trained["settings"].output_dir / "acts_mnist" / "trials" / "0000"
    model = load_model(trial_dir)
    data = load_dataset("mnist", data_fraction=0.02, seed=1, data_dir=trained["data_dir"])
    logits = model(data.test.x[5:6])[0]
    assert body["example"] == 5 and body["examples"] == len(data.test) and body["family"] == "cnn"
    assert body["prediction"]["label"] == int(logits.argmax())
    expected = torch.softmax(logits, 0).tolist()
    assert max(abs(a - b) for a, b in zip(body["prediction"]["probabilities"], expected, strict=True)) < 1e-4
    assert body["prediction"]["true_label"] == int(data.test.y[5])
    graph = get(trained, "/trials/0").json()["graph"]
    assert [layer["id"] for layer in body["layers"]] == [n["data"]["id"] for n in graph["elements"]["nodes"][1:]]
    maps = [layer for layer in body["layers"] if layer["type"] == "maps"]
    assert maps and all(len(base64.b64decode(m["data"])) == len(m["kept"]) * m["height"] * m["width"] for m in maps)
    assert body["input"]["type"] == "image" and len(base64.b64decode(body["input"]["data"])) == 28 * 28


def test_two_examples_differ_and_the_best_model_variant_agrees(trained):
    first = get(trained, "/trials/0/activations?example=1").json()
    second = get(trained, "/trials/0/activations?example=2").json()
    assert first["input"]["data"] != second["input"]["data"]
    assert [a["data"] for a in first["layers"]] != [b["data"] for b in second["layers"]]
    best = get(trained, "/best-model/activations?example=1").json()
    assert best == first  # trial 0 is the only, hence the best, trial


def test_answers_are_cached_and_the_cache_is_bounded(trained):
    service = trained["client"].app.state.services.activations
    get(trained, "/trials/0/activations?example=7")
    cached = service.cached
    assert get(trained, "/trials/0/activations?example=7").status_code == 200 and service.cached == cached
    assert 0 < cached <= CACHE_SIZE


def test_bad_requests_get_a_clear_4xx(trained):
    examples = get(trained, "/trials/0/activations").json()["examples"]
    outside = get(trained, f"/trials/0/activations?example={examples}")
    assert outside.status_code == 404 and f"out of range: the test split of trial 0 has {examples}" in \
        outside.json()["detail"]
    assert get(trained, "/trials/0/activations?example=-1").status_code == 422
    assert get(trained, "/trials/0/activations?example=two").status_code == 422
    missing = get(trained, "/trials/9/activations")
    assert missing.status_code == 404 and missing.json()["detail"] == f"job {trained['job_id']} has no trial 9"
    unknown = trained["client"].get("/jobs/nope/best-model/activations", headers=GOOD)
    assert unknown.status_code == 404


def test_the_same_token_auth_as_other_routes(trained):
    path = f"/jobs/{trained['job_id']}/trials/0/activations"
    assert trained["client"].get(path).status_code == 401
    assert trained["client"].get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401


@pytest.fixture(scope="module")
def trained_lstm(api_home, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("imdb_data")
    shutil.copytree(genuine("imdb"), data_dir / "imdb")
    with _one_trained_job(api_home / "activations_lstm", data_dir, "imdb") as job:
        yield job


def test_a_review_shows_its_words_and_the_lstm_its_last_step(trained_lstm):
    body = get(trained_lstm, "/best-model/activations?example=3").json()
    data = load_dataset("imdb", data_fraction=0.02, seed=1, data_dir=trained_lstm["data_dir"])
    ids = [int(t) for t in data.test.x[3] if int(t) != 0]
    assert body["family"] == "lstm" and body["input"]["type"] == "tokens"
    assert body["input"]["tokens"] == [data.vocabulary[t] for t in ids[-64:]]
    assert body["input"]["tokens_total"] == len(ids)
    lstm = next(layer for layer in body["layers"] if layer["name"] == "lstm")
    assert lstm["type"] == "units" and lstm["step"] == "last" and len(lstm["kept"]) <= 64
    assert body["prediction"]["class_names"] == ["negative", "positive"]
    assert body["prediction"]["true_label"] == int(data.test.y[3])
