"""One real job end to end over HTTP and WebSocket on a real server: genuine MNIST training, health, the optimized
model zip (weights, config, ONNX, plots), the architecture graph, trial plots, and the job's log lines."""

from __future__ import annotations

import io
import json
import zipfile

import httpx
import pytest
import websockets
from websockets.sync.client import connect

from nettune.api.app import create_app
from nettune.progress.layer_stats import MAX_EPOCH_BYTES

from .conftest import TOKEN, make_settings, uvicorn_server

GOOD = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def real_job(api_home, mnist_data_dir):
    settings = make_settings(api_home / "real", mnist_data_dir, token=TOKEN, static_dir=api_home / "real" / "none")
    with uvicorn_server(create_app(settings)) as base, httpx.Client(base_url=base, headers=GOOD, timeout=60) as http:
        ws_base = base.replace("http://", "ws://")
        with pytest.raises(websockets.exceptions.InvalidStatus) as denied:
            connect(f"{ws_base}/ws").close()
        # One trial: the warm-start baseline, deterministic and quick on 3% of MNIST.
        body = {"dataset": "mnist", "trials": 1, "max_epochs_per_trial": 1, "data_fraction": 0.03, "mode": "health",
                "plot_generation": "best", "run_name": "real", "seed": 1}
        created = http.post("/optimize", json=body)
        assert created.status_code == 202, created.text
        job_id = created.json()["job_id"]
        with connect(f"{ws_base}/ws/jobs/{job_id}?token={TOKEN}", open_timeout=30) as ws:
            events = [json.loads(ws.recv(timeout=240))]
            while events[-1]["type"] != "job_complete":
                events.append(json.loads(ws.recv(timeout=240)))
        yield {"http": http, "job_id": job_id, "events": events, "settings": settings,
               "denied_status": denied.value.response.status_code}


def test_websocket_handshake_without_token_is_401_on_a_real_server(real_job):
    assert real_job["denied_status"] == 401


def test_real_training_reports_health_live(real_job):
    events = real_job["events"]
    assert events[-1]["data"]["state"] == "COMPLETED", events[-1]
    finished = [e["data"]["trial"] for e in events if e["type"] == "trial_complete"]
    assert len(finished) == 1 and finished[0]["state"] == "COMPLETE" and finished[0]["is_best"]
    assert finished[0]["health_summary"] and 0 <= finished[0]["health_overall"] <= 1
    assert finished[0]["metrics"]["test_accuracy"] > 0.6
    epochs = [e for e in events if e["type"] == "epoch_progress"]
    end = [e for e in epochs if e["data"]["val_accuracy"] is not None]  # the end-of-epoch update
    assert end and end[0]["data"]["val_loss"] > 0
    # It carries the trial's curve so far, for the dashboard to draw while the trial runs.
    running = next(r for r in end[0]["data"]["progress"]["running_trials"] if r["trial"] == end[0]["data"]["trial"])
    assert running["history"] == [{"epoch": 1, "train_loss": end[0]["data"]["loss"],
                                   "train_accuracy": end[0]["data"]["accuracy"], "val_loss": end[0]["data"]["val_loss"],
                                   "val_accuracy": end[0]["data"]["val_accuracy"]}]


def test_layer_stats_stream_with_the_epoch_and_replay_from_the_trials_files(real_job):
    http, job_id, events = real_job["http"], real_job["job_id"], real_job["events"]
    end = next(e for e in events if e["type"] == "epoch_progress" and e["data"]["val_accuracy"] is not None)
    assert "layers" not in end["data"]  # carried once, in the snapshot's running trial
    running = next(r for r in end["data"]["progress"]["running_trials"] if r["trial"] == end["data"]["trial"])
    layers = running["layers"]
    assert layers["epoch"] == 1 and len(layers["layers"]) == len(layers["grad_mean"]) == layers["layers_total"]
    assert all(norm is not None and norm > 0 for norm in layers["grad_mean"])
    assert len(json.dumps(layers, separators=(",", ":"))) <= MAX_EPOCH_BYTES
    detail = http.get(f"/jobs/{job_id}/trials/{end['data']['trial']}").json()
    assert detail["layer_stats"] == [layers]  # the finished trial's replay reads what was streamed


def test_optimized_model_zip_and_best_model(real_job):
    http, job_id = real_job["http"], real_job["job_id"]
    job = http.get(f"/jobs/{job_id}").json()
    assert job["model_ready"] is True and job["result"]["best_health"] is not None
    download = http.get(f"/download/{job_id}")
    assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
    assert download.headers["content-disposition"] == 'attachment; filename="real_optimized_model.zip"'
    names = set(zipfile.ZipFile(io.BytesIO(download.content)).namelist())
    for name in ("model.pt", "model_config.json", "model.onnx", "health.json", "architecture.json", "results.json",
                 "plots/confusion_matrix.png"):
        assert f"real_optimized_model/{name}" in names, name

    best = http.get(f"/jobs/{job_id}/best-model").json()
    trial = best["trial"]
    assert best["model_ready"] and trial["number"] == job["result"]["best_trial"] and trial["is_best"]
    assert trial["health"]["per_layer"] and trial["graph"]["health"]["overall"] == trial["health_overall"]
    assert any(node["data"]["health"] for node in trial["graph"]["elements"]["nodes"])
    assert len(trial["history"]) == 1 and trial["model_config"]["family"] == "cnn"
    assert "confusion_matrix.png" in trial["plots"]
    png = http.get(f"/jobs/{job_id}/trials/{trial['number']}/plots/confusion_matrix.png")
    assert png.status_code == 200 and png.content[:4] == b"\x89PNG"
    listed = http.get(f"/jobs/{job_id}/plots").json()
    assert listed["trials"][str(trial["number"])] == trial["plots"] and "optimization_history.html" in listed["study"]


def test_api_jobs_log_like_the_cli(real_job):
    settings = real_job["settings"]
    run_log = (settings.output_dir / "real" / "nettune.log").read_text().splitlines()
    global_log = (settings.workdir / "logs" / "nettune.log").read_text().splitlines()
    assert any("trial 0 complete" in line for line in run_log)
    assert set(run_log) <= set(global_log)  # the same lines in both places
