"""The worker handler: progress through `report`, a complete output, and the real RunPod SDK entry point."""

import json
import subprocess
import sys

from nettune.executors.remote.fetch import fetch_bundle
from nettune.worker.handler import ProgressForwarder, handle
from nettune.worker.schema import ArtifactTarget, encode_input, remote_job
from tests.remote.conftest import fixed_job


def test_handler_runs_one_trial_and_reports_progress(tmp_path):
    reports = []
    job = fixed_job(5, seconds=1.2, tmp_path=tmp_path, epochs=3)
    output = handle(encode_input(remote_job(job), ArtifactTarget()), reports.append, scratch=tmp_path, worker="w")

    assert reports[0]["kind"] == "trial_start" and reports[0]["trial"] == 5
    epoch_ends = [(r["epoch"], r["fraction"]) for r in reports if r["kind"] == "epoch_progress" and r["fraction"] == 1]
    assert epoch_ends == [(1, 1.0), (2, 1.0), (3, 1.0)]  # epoch ends always go through the throttle
    outcome = output["outcome"]
    assert outcome["state"] == "complete" and outcome["worker"] == "w" and outcome["value"] > 0
    assert output["architecture"]["parameters"] > 0 and output["architecture"]["filters"] == [8]
    assert output["timing"]["received_at"] <= outcome["started_at"] <= outcome["finished_at"]
    assert output["bundle"]["kind"] == "inline"
    fetch_bundle(output["bundle"], tmp_path / "back")  # verifies the checksum and the manifest
    assert not list(tmp_path.glob("trial-*")), "the handler leaves no scratch files behind"


def test_progress_is_throttled_between_epoch_ends():
    from nettune.progress.events import EpochProgress

    sent = []
    forwarder = ProgressForwarder(sent.append, interval_s=60)
    for k in range(1, 11):
        forwarder.emit(EpochProgress(trial=0, epoch=1, total_epochs=1, fraction=k / 10, loss=float("nan"),
                                     accuracy=0.5))
    assert [s["fraction"] for s in sent] == [0.1, 1.0]
    assert sent[0]["loss"] is None  # NaN is not JSON: it travels as null


def _run_module(payload):
    return subprocess.run([sys.executable, "-m", "nettune.worker", "--test_input", json.dumps(payload)],
                          capture_output=True, text=True, timeout=120)


def test_python_m_nettune_worker_runs_a_job_under_the_runpod_sdk(tmp_path):
    job = encode_input(remote_job(fixed_job(1, seconds=0.3, tmp_path=tmp_path)), ArtifactTarget())
    done = _run_module({"input": job})
    log = done.stdout + done.stderr
    assert done.returncode == 0, log
    assert "Starting Serverless Worker" in log and "completed successfully" in log
    assert "'state': 'complete'" in log

    job["job"]["data_fraction"] = 2.0
    failed = _run_module({"input": job})
    assert failed.returncode == 1
    assert "job.data_fraction=2.0 is out of range" in failed.stdout + failed.stderr
