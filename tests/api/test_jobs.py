"""Jobs through the API with real job processes: lifecycle, live events, trials, best model, files, cancel,
queueing, resume. Trials are fixed-length (they wait instead of training) on genuine MNIST data."""

from __future__ import annotations

import json
import os

import pytest

from nettune.api.services import job_config

from .conftest import FAST_JOB, make_settings, running_client, wait_for


@pytest.fixture(scope="module")
def client(api_home, mnist_data_dir):
    settings = make_settings(api_home / "jobs", mnist_data_dir, max_running_jobs=1, max_queued_jobs=1)
    with running_client(settings) as client:
        yield client


@pytest.fixture(scope="module")
def finished(client):
    """A 3-trial job followed live over both WebSockets from before it starts to its end."""
    body = {**FAST_JOB, "run_name": "lifecycle", "plot_generation": "best"}
    with client.websocket_connect("/ws") as everything:
        assert everything.receive_json()["type"] == "snapshot"
        job = client.post("/optimize", json=body)
        assert job.status_code == 202, job.text
        job_id = job.json()["job_id"]
        with client.websocket_connect(f"/ws/jobs/{job_id}") as one:
            events = [one.receive_json()]
            while events[-1]["type"] != "job_complete":
                events.append(one.receive_json())
        seen_everywhere = []
        while not seen_everywhere or seen_everywhere[-1]["type"] != "job_complete":
            message = everything.receive_json()
            if message["job_id"] == job_id:
                seen_everywhere.append(message)
    return {"job_id": job_id, "events": events, "all": seen_everywhere}


def test_events_arrive_in_order_after_a_snapshot(finished):
    events = finished["events"]
    snapshot, rest = events[0], events[1:]
    assert snapshot["type"] == "snapshot" and snapshot["data"]["job"]["job_id"] == finished["job_id"]
    assert isinstance(snapshot["data"]["trials"], list)
    seqs = [e["seq"] for e in rest]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs))) and seqs[0] > snapshot["seq"]
    kinds = [e["type"] for e in rest]
    assert kinds.count("trial_start") == kinds.count("trial_complete") == 3
    assert kinds[-2:] == ["job_status", "job_complete"] and rest[-1]["data"]["state"] == "COMPLETED"
    start = next(e for e in rest if e["type"] == "trial_start")
    assert start["data"]["architecture"]["conv_layers"] >= 1 and start["data"]["architecture"]["param_count"] > 0
    progress = [e for e in rest if e["type"] == "epoch_progress"]
    assert len(progress) >= 3 * 4 and all(0 < e["data"]["fraction"] <= 1 for e in progress)
    assert all(e["data"]["progress"]["running"] == 1 for e in progress)
    done = [e["data"] for e in rest if e["type"] == "trial_complete"]
    assert [d["trial"]["number"] for d in done] == [0, 1, 2]
    assert all(d["trial"]["state"] == "COMPLETE" and d["trial"]["metrics"]["val_accuracy"] > 0 for d in done)
    assert [d["progress"]["completed"] for d in done] == [1, 2, 3]
    # /ws carried the same events of this job, in the same order, with the same numbers.
    assert [(e["type"], e["seq"]) for e in finished["all"]][-len(rest):] == [(e["type"], e["seq"]) for e in rest]


def test_finished_job_lists_trials_best_model_and_plots(client, finished):
    job_id = finished["job_id"]
    job = client.get(f"/jobs/{job_id}").json()
    assert job["state"] == "COMPLETED" and job["progress"]["completed"] == 3 and job["progress"]["running"] == 0
    assert job["result"]["counts"]["complete"] == 3 and job["progress"]["average_duration_s"] > 0.2
    assert job["model_ready"] is False  # fixed-length trials save no model
    assert job_id in [j["job_id"] for j in client.get("/jobs").json()["jobs"]]

    trials = client.get(f"/jobs/{job_id}/trials").json()["trials"]
    assert [t["number"] for t in trials] == [0, 1, 2] and all(t["state"] == "COMPLETE" for t in trials)
    best = [t for t in trials if t["is_best"]]
    assert len(best) == 1 and best[0]["number"] == job["result"]["best_trial"]
    assert best[0]["value"] == max(t["value"] for t in trials)
    for t in trials:
        arch = t["architecture"]
        assert arch["filters"] and len(arch["kernel_sizes"]) == arch["conv_layers"] and arch["activation"]
        assert t["duration_s"] >= 0.2 and t["finished_at"] > t["started_at"]

    detail = client.get(f"/jobs/{job_id}/trials/1").json()
    assert detail["model_config"]["family"] == "cnn" and detail["graph"]["elements"]["nodes"]
    assert client.get(f"/jobs/{job_id}/trials/7").json() == {"detail": f"job {job_id} has no trial 7"}

    model = client.get(f"/jobs/{job_id}/best-model").json()
    assert model["trial"]["number"] == job["result"]["best_trial"] and model["mode"] == "health"
    assert model["trial"]["graph"]["format"] == "nettune.architecture/1"
    download = client.get(f"/jobs/{job_id}/best-model/download")
    assert download.headers["content-disposition"] == 'attachment; filename="lifecycle_best_model.json"'
    assert download.json()["trial"]["number"] == model["trial"]["number"]
    refused = client.get(f"/download/{job_id}")
    assert refused.status_code == 409 and "the best trial saved no model file" in refused.json()["detail"]

    plots = client.get(f"/jobs/{job_id}/plots").json()
    assert "optimization_history.png" in plots["study"] and "accuracy_vs_health" in plots["study_skipped"]
    png = client.get(f"/jobs/{job_id}/plots/optimization_history.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png" and png.content[:4] == b"\x89PNG"
    assert client.get(f"/jobs/{job_id}/plots/plotly.min.js").status_code == 200  # the HTML pages need it


def test_a_job_that_leaves_workers_out_is_auto_and_says_what_ran(finished, api_home):
    results = json.loads((api_home / "jobs" / "runs" / "lifecycle" / "results.json").read_text())
    assert results["worker_layout"]["workers"] == 1
    assert results["worker_layout"]["reason"] == "benchmark trials do not train"


def test_auto_workers_never_exceed_the_servers_limit(api_home, mnist_data_dir, monkeypatch):
    monkeypatch.setattr(job_config, "auto_ceiling", lambda: 4)  # a 4-core host, a server limited to 1 worker
    settings = make_settings(api_home / "pinned", mnist_data_dir, max_concurrent_workers=1)
    with running_client(settings) as client:
        job = client.post("/optimize", json={**FAST_JOB, "trials": 2, "run_name": "pinned"})
        assert job.status_code == 202, job.text
        assert wait_for(client, job.json()["job_id"], ("COMPLETED", "FAILED"))["state"] == "COMPLETED"
    results = json.loads((api_home / "pinned" / "runs" / "pinned" / "results.json").read_text())
    assert results["worker_layout"]["workers"] == 1
    assert results["worker_layout"]["reason"] == "set by concurrent_workers"


def test_file_endpoints_stay_inside_the_run_directory(client, finished, api_home, tmp_path):
    job_id = finished["job_id"]
    run_dir = api_home / "jobs" / "runs" / "lifecycle"
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG secret")
    (run_dir / "plots" / "escape.png").symlink_to(secret)
    (run_dir / "plots" / "inside.png").symlink_to(run_dir / "plots" / "optimization_history.png")
    trial_plots = run_dir / "trials" / "0001" / "plots"
    trial_plots.parent.mkdir(parents=True, exist_ok=True)
    trial_plots.symlink_to(tmp_path)  # a whole directory pointing outside

    assert client.get(f"/jobs/{job_id}/plots/escape.png").status_code == 404
    assert client.get(f"/jobs/{job_id}/plots/inside.png").status_code == 200
    assert client.get(f"/jobs/{job_id}/trials/1/plots/secret.png").status_code == 404
    assert "escape.png" not in client.get(f"/jobs/{job_id}/plots").json()["study"]
    for name in (".hidden.png", "a\\..\\b.png", "%2e%2e", "..%5c..%5csecret.png", "nul%00.png"):
        response = client.get(f"/jobs/{job_id}/plots/{name}")
        assert response.status_code in (400, 404), name
        assert b"PNG secret" not in response.content
    assert client.get(f"/jobs/{job_id}/plots/%2e%2e").json()["detail"].startswith("invalid file name")
    assert client.get(f"/jobs/{job_id}/plots/..%2F..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert client.get(f"/jobs/{job_id}/plots/.hidden.png").json()["detail"].startswith("invalid file name")
    assert client.get(f"/jobs/{job_id}/plots/{os.sep}etc{os.sep}passwd").status_code == 404


def test_run_name_in_use_is_a_conflict(client, finished):
    response = client.post("/optimize", json={**FAST_JOB, "run_name": "lifecycle"})
    assert response.status_code == 409
    assert response.json()["detail"].startswith(f"run_name 'lifecycle' is used by job {finished['job_id']}")
    assert client.post(f"/jobs/{finished['job_id']}/cancel").status_code == 409
    assert "only FAILED, CANCELLED, INTERRUPTED" in client.post(f"/jobs/{finished['job_id']}/resume").json()["detail"]


def test_a_failed_job_can_be_resumed_so_its_run_name_is_never_stuck(client):
    body = {**FAST_JOB, "dataset": "cifar10", "run_name": "no-data"}  # not in the data dir, and no network
    failed = wait_for(client, client.post("/optimize", json=body).json()["job_id"], ("FAILED",))
    assert failed["error"]
    again = client.post("/optimize", json=body)
    assert again.status_code == 409 and "resume that job" in again.json()["detail"]
    resumed = client.post(f"/jobs/{failed['job_id']}/resume")
    assert resumed.status_code == 202 and resumed.json()["state"] in ("QUEUED", "RUNNING")
    assert wait_for(client, failed["job_id"], ("FAILED",))["state"] == "FAILED"  # the cause is still there


def test_queue_cancel_and_resume(client):
    slow = {**FAST_JOB, "trials": 2, "benchmark_trial_seconds": 3.0, "run_name": "slow"}
    first = client.post("/optimize", json=slow).json()
    assert first["state"] == "RUNNING"
    queued = client.post("/optimize", json={**FAST_JOB, "run_name": "waiting"})
    assert queued.status_code == 202 and queued.json()["state"] == "QUEUED"
    full = client.post("/optimize", json={**FAST_JOB, "run_name": "one-too-many"})
    assert full.status_code == 429 and "the job queue is full" in full.json()["detail"]

    cancelled = client.post(f"/jobs/{queued.json()['job_id']}/cancel")
    assert cancelled.status_code == 202 and cancelled.json()["state"] == "CANCELLED"

    job_id = first["job_id"]
    with client.websocket_connect(f"/ws/jobs/{job_id}") as ws:
        message = ws.receive_json()
        while not (message["type"] == "trial_start" and message["data"]["trial"] == 1):  # trial 0 is done
            message = ws.receive_json()
        response = client.delete(f"/jobs/{job_id}")
        assert response.status_code == 202 and response.json()["cancel_requested"] is True
    job = wait_for(client, job_id, ("CANCELLED",), timeout=30)
    trials = client.get(f"/jobs/{job_id}/trials").json()["trials"]
    assert [t["state"] for t in trials] == ["COMPLETE", "INTERRUPTED"]
    assert job["progress"]["completed"] == 1 and job["result"]["interrupted"] is True

    resumed = client.post(f"/jobs/{job_id}/resume")
    assert resumed.status_code == 202 and resumed.json()["state"] in ("QUEUED", "RUNNING")
    job = wait_for(client, job_id, ("COMPLETED", "FAILED"), timeout=60)
    assert job["state"] == "COMPLETED" and job["result"]["counts"]["complete"] == 2
    states = [t["state"] for t in client.get(f"/jobs/{job_id}/trials").json()["trials"]]
    assert states == ["COMPLETE", "INTERRUPTED", "COMPLETE"]  # the completed trial was kept, not rerun
    counts = client.get("/health").json()["jobs"]
    assert counts["RUNNING"] == 0 and counts["CANCELLED"] == 1


def test_architecture_diagrams_as_svg_pdf_and_json(client, finished):
    import io
    import xml.etree.ElementTree as ET

    import pypdf

    job_id = finished["job_id"]
    graph = client.get(f"/jobs/{job_id}/trials/1").json()["graph"]
    names = [n["data"]["name"] for n in graph["elements"]["nodes"]]
    svg = client.get(f"/jobs/{job_id}/trials/1/architecture.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.headers["content-disposition"] == f'attachment; filename="{job_id}_trial1_architecture.svg"'
    ids = [e.get("id") for e in ET.fromstring(svg.content).iter() if (e.get("id") or "").startswith("layer-")]
    assert len(ids) == len(names)  # one box per layer
    pdf = client.get(f"/jobs/{job_id}/best-model/architecture.pdf")
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    reader = pypdf.PdfReader(io.BytesIO(pdf.content))
    text = reader.pages[0].extract_text()
    assert len(reader.pages) == 1 and all(name in text for name in names if name != "input")
    assert "layer kinds" in text  # the legend
    assert client.get(f"/jobs/{job_id}/trials/1/architecture.json").json() == graph
    assert client.get(f"/jobs/{job_id}/trials/1/architecture.png").status_code == 422
    assert client.get(f"/jobs/{job_id}/trials/9/architecture.svg").status_code == 404
