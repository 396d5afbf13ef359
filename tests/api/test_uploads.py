"""Dataset uploads through the API: real zips and tables written by the tests, streamed to a real server."""

from __future__ import annotations

import base64
import io
import json
import re
import stat
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from .conftest import TOKEN, make_settings, running_client, wait_for


def photo_zip(classes: tuple[str, ...] = ("circle", "square"), per_class: int = 16, top: str = "shapes/") -> bytes:
    """Bright squares vs dark squares, as PNG and JPEG files in class folders, wrapped in one top folder."""
    rng = np.random.default_rng(0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for c, name in enumerate(classes):
            for i in range(per_class):
                pixels = (rng.random((12, 12)) * 60 + 150 * c).astype(np.uint8)
                image = io.BytesIO()
                Image.fromarray(pixels, mode="L").save(image, format="PNG" if i % 2 else "JPEG")
                zf.writestr(f"{top}{name}/{i}.{'png' if i % 2 else 'jpg'}", image.getvalue())
    return buffer.getvalue()


def zip_of(members: dict[str, bytes], symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def client(api_home, mnist_data_dir):
    settings = make_settings(api_home / "uploads", mnist_data_dir, max_upload_bytes=400_000,
                             max_unpacked_bytes=2_000_000, max_upload_files=100)
    with running_client(settings) as client:
        yield client


def upload(client, name: str, body: bytes, fmt: str = "zip", **params):
    return client.post(f"/datasets/uploads/{name}", content=body, params={"format": fmt, **params})


def test_upload_a_zip_list_it_see_examples_and_run_a_job_on_it(client, api_home):
    response = upload(client, "shapes", photo_zip(), filename="shapes.zip")
    assert response.status_code == 201, response.text
    entry = response.json()
    assert entry["uploaded"] and entry["family"] == "cnn" and entry["class_names"] == ["circle", "square"]
    assert entry["class_counts"]["train"] == {"circle": 16, "square": 16} and entry["input_shape"] == [1, 12, 12]
    assert entry["filename"] == "shapes.zip" and entry["bytes"] > 0
    listed = {d["name"]: d for d in client.get("/datasets").json()["datasets"]}
    assert listed["shapes"]["uploaded"] and listed["mnist"]["uploaded"] is False

    examples = client.get("/datasets/uploads/shapes/examples").json()["examples"]
    assert [e["label"] for e in examples[:2]] == ["circle", "square"] and len(examples) == 6
    thumbnail = Image.open(io.BytesIO(base64.b64decode(examples[1]["image"].split(",", 1)[1])))
    assert thumbnail.size == (12, 12) and np.asarray(thumbnail).mean() > 150  # a bright "square" example

    job = client.post("/optimize", json={"dataset": "shapes", "trials": 2, "max_epochs_per_trial": 1,
                                         "mode": "simple", "run_name": "on-shapes", "plot_generation": "none"})
    assert job.status_code == 202, job.text
    done = wait_for(client, job.json()["job_id"], ("COMPLETED", "FAILED"), timeout=120)
    assert done["state"] == "COMPLETED", done
    assert done["config"]["dataset"] == "shapes"  # the job keeps the upload's name, not the server's path
    results = json.loads((api_home / "uploads" / "runs" / "on-shapes" / "results.json").read_text())
    assert results["data"]["custom"]["ref"].startswith("custom:") and results["best"]["test_accuracy"] > 0.7


def test_a_table_upload_and_deleting_it(client):
    rows = "".join(f'"{"great fun" if i % 2 else "dull mess"} {i}",{"pos" if i % 2 else "neg"}\n' for i in range(20))
    response = upload(client, "reviews", ("text,label\n" + rows).encode(), fmt="csv")
    assert response.status_code == 201, response.text
    assert response.json()["family"] == "lstm" and response.json()["class_names"] == ["neg", "pos"]
    examples = client.get("/datasets/uploads/reviews/examples").json()["examples"]
    assert examples[0] == {"label": "neg", "text": "dull mess 0", "image": None}
    assert client.delete("/datasets/uploads/reviews").status_code == 204
    assert client.get("/datasets/uploads/reviews").status_code == 404
    assert "reviews" not in [d["name"] for d in client.get("/datasets").json()["datasets"]]


def test_a_dataset_in_use_cannot_be_deleted(client):
    assert upload(client, "busy", photo_zip()).status_code == 201
    response = client.post("/optimize", json={"dataset": "busy", "trials": 2, "max_epochs_per_trial": 1,
                                              "benchmark_trial_seconds": 5.0,
                                              "run_name": "busy-job", "plot_generation": "none"})
    assert response.status_code == 202, response.text
    job = response.json()
    refused = client.delete("/datasets/uploads/busy")
    assert refused.status_code == 409 and f"job(s) {job['job_id']} use 'busy'" in refused.json()["detail"]
    client.post(f"/jobs/{job['job_id']}/cancel")
    wait_for(client, job["job_id"], ("CANCELLED", "COMPLETED", "FAILED"), timeout=60)
    assert client.delete("/datasets/uploads/busy").status_code == 204


@pytest.mark.parametrize(("body", "status", "message"), [
    (zip_of({"../escape/a.png": b"x"}), 422, "would be written outside the dataset folder"),
    (zip_of({"/abs/a.png": b"x"}), 422, "would be written outside the dataset folder"),
    (zip_of({"ok/a.png": b"x"}, symlink="ok/link.png"), 422, "is a symbolic link"),
    (zip_of({"bomb/a/zeros.png": b"\0" * 2_500_000}), 413, "unpacks to more than 2,000,000 bytes"),
    (zip_of({f"many/c/{i}.png": b"x" for i in range(101)}), 413, "holds 101 files; this server unpacks at most 100"),
    (b"\0" * 500_000, 413, "the upload is 500,000 bytes; this server accepts at most 400,000"),
    (b"PK not a zip", 422, "not a readable zip archive"),
    (photo_zip(classes=("only",)), 422, "not a usable dataset: .* has a single class"),
])
def test_unsafe_or_unusable_archives_are_refused_and_leave_nothing(client, api_home, body, status, message):
    response = upload(client, "bad", body)
    assert response.status_code == status, response.text
    assert re.search(message, response.json()["detail"]), response.json()["detail"]
    uploads = api_home / "uploads" / "runs" / "uploads"
    assert not (uploads / "bad").exists() and not list(uploads.glob(".*"))
    assert not (api_home / "escape").exists()


def test_a_chunked_upload_without_length_is_cut_at_the_limit(client, api_home):
    def chunks():
        for _ in range(10):
            yield b"\0" * 50_000

    response = client.post("/datasets/uploads/chunked", content=chunks(), params={"format": "csv"})
    assert response.status_code == 413 and "over 400,000 bytes" in response.json()["detail"]
    assert not list((api_home / "uploads" / "runs" / "uploads").glob(".incoming-*"))


def test_names_formats_and_unknown_datasets(client):
    assert upload(client, "mnist", photo_zip()).json()["detail"].startswith("'mnist' is a built-in dataset")
    assert upload(client, "x", b"a,b\n", fmt="xlsx").status_code == 422
    assert upload(client, ".hidden", photo_zip()).status_code == 422  # names follow the run-name pattern
    assert upload(client, "..", photo_zip()).status_code >= 400
    missing = client.post("/optimize", json={"dataset": "nope", "trials": 1, "max_epochs_per_trial": 1})
    assert missing.status_code == 422 and "neither a built-in dataset" in missing.json()["detail"]
    path = client.post("/optimize", json={"dataset": "/etc", "trials": 1, "max_epochs_per_trial": 1})
    assert path.status_code == 422  # no paths on the server through the API


def test_uploads_need_the_token_off_loopback(api_home, mnist_data_dir):
    settings = make_settings(api_home / "auth-uploads", mnist_data_dir, token=TOKEN)
    with running_client(settings) as client:
        assert upload(client, "shapes", photo_zip()).status_code == 401
        response = client.post("/datasets/uploads/shapes", content=photo_zip(), params={"format": "zip"},
                               headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 201, response.text
    assert (Path(api_home) / "auth-uploads" / "runs" / "uploads" / "shapes" / "upload.json").is_file()
