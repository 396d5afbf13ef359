"""Loading the genuine MNIST, Fashion-MNIST and IMDB copies from shared/datasets."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import torch

from nettune.data import load_dataset

# Published per-class counts of the MNIST splits.
MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def counts(y: torch.Tensor, num_classes: int) -> list[int]:
    return torch.bincount(y, minlength=num_classes).tolist()


def test_mnist_full_load(mnist_dir: Path, real_data_dir: Path):
    data = load_dataset("mnist", data_dir=real_data_dir)
    assert data.info.name == "mnist" and data.info.family == "cnn"
    assert data.info.input_shape == (1, 28, 28) and data.info.num_classes == 10
    assert data.train.x.dtype == torch.float32 and data.train.y.dtype == torch.int64
    assert data.train.x.shape[1:] == (1, 28, 28)
    # Train + validation is exactly the published train split, class by class; test is the official one.
    together = [a + b for a, b in zip(counts(data.train.y, 10), counts(data.val.y, 10), strict=True)]
    assert together == MNIST_TRAIN_COUNTS
    assert counts(data.test.y, 10) == MNIST_TEST_COUNTS
    assert data.notes["test_split"] == "official test split"
    # Validation is a stratified 10% of every class.
    for n_val, n_all in zip(counts(data.val.y, 10), MNIST_TRAIN_COUNTS, strict=True):
        assert n_val == round(n_all * 0.1)
    # Normalised with train statistics: train is exactly zero-mean unit-variance, test only close to it.
    assert abs(data.train.x.mean().item()) < 1e-4 and abs(data.train.x.std().item() - 1) < 1e-3
    assert abs(data.test.x.mean().item()) < 0.05 and data.test.x.mean().item() != data.train.x.mean().item()
    assert abs(data.notes["normalization"]["mean"][0] - 0.1307) < 1e-3  # the well-known MNIST mean
    # Background pixels (0) all map to the same, most negative value.
    assert data.train.x.min().item() == data.test.x.min().item() < -0.4
    assert data.notes["sizes"] == {"train": len(data.train), "val": len(data.val), "test": 10_000}
    assert data.notes["format"] == "IDX files (gzipped)"


def test_same_seed_same_data_other_seed_other_split(mnist_dir: Path, real_data_dir: Path):
    a = load_dataset("mnist", data_dir=real_data_dir, data_fraction=0.05, seed=3)
    b = load_dataset("mnist", data_dir=real_data_dir, data_fraction=0.05, seed=3)
    c = load_dataset("mnist", data_dir=real_data_dir, data_fraction=0.05, seed=4)
    for split in ("train", "val", "test"):
        assert torch.equal(getattr(a, split).x, getattr(b, split).x)
        assert torch.equal(getattr(a, split).y, getattr(b, split).y)
    assert a.train.x.shape == c.train.x.shape
    assert not torch.equal(a.train.x, c.train.x)


def test_data_fraction_is_stratified_on_train_and_test(mnist_dir: Path, real_data_dir: Path):
    data = load_dataset("mnist", data_dir=real_data_dir, data_fraction=0.1, seed=1)
    kept = [a + b for a, b in zip(counts(data.train.y, 10), counts(data.val.y, 10), strict=True)]
    assert kept == [round(n * 0.1) for n in MNIST_TRAIN_COUNTS]
    assert counts(data.test.y, 10) == [round(n * 0.1) for n in MNIST_TEST_COUNTS]
    assert data.notes["data_fraction"] == 0.1 and "stratified" in data.notes["subsample"]
    # Each split is shuffled: the labels are not grouped by class.
    assert (data.train.y[1:] != data.train.y[:-1]).float().mean() > 0.7


def test_cached_full_mnist_load_is_fast(mnist_dir: Path, real_data_dir: Path):
    load_dataset("mnist", data_dir=real_data_dir)  # decodes and caches once (maybe already done)
    assert (real_data_dir / "mnist" / ".decoded" / "meta.json").is_file()
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        data = load_dataset("mnist", data_dir=real_data_dir)
        best = min(best, time.perf_counter() - start)
    assert len(data.train) + len(data.val) == 60_000
    assert best < 2.0, f"a cached full MNIST load took {best:.2f}s"


def test_fashion_mnist(fashion_mnist_dir: Path, real_data_dir: Path):
    data = load_dataset("fashion_mnist", data_dir=real_data_dir, seed=2)
    assert data.info.class_names[0] == "T-shirt/top" and data.info.class_names[9] == "Ankle boot"
    together = [a + b for a, b in zip(counts(data.train.y, 10), counts(data.val.y, 10), strict=True)]
    assert together == [6000] * 10
    assert counts(data.val.y, 10) == [600] * 10
    assert counts(data.test.y, 10) == [1000] * 10
    assert abs(data.train.x.mean().item()) < 1e-4
    assert abs(data.notes["normalization"]["mean"][0] - 0.286) < 0.002


def test_imdb_csv_gets_a_stratified_held_out_test_split(imdb_dir: Path, real_data_dir: Path):
    data = load_dataset("imdb", data_dir=real_data_dir)
    assert data.info.modality == "text" and data.info.family == "lstm"
    assert data.info.input_shape == (256,) and data.info.vocab_size == 20_002
    assert data.notes["test_split"].startswith(
        "stratified 20% held out of the 25,000-review train split (no test split offline)")
    assert data.notes["available"] == {"train": 25_000, "test": None}
    assert data.notes["sizes"] == {"train": 18_000, "val": 2_000, "test": 5_000}
    assert counts(data.test.y, 2) == [2_500, 2_500]
    assert counts(data.val.y, 2) == [1_000, 1_000]
    assert data.train.x.dtype == torch.int64 and data.train.x.shape == (18_000, 256)
    assert int(data.train.x.max()) < data.info.vocab_size and int(data.train.x.min()) == 0
    # The vocabulary counts only the 18,000 train reviews, and the most frequent words are as expected.
    assert data.notes["vocab"]["built_on"] == "train split only (18,000 documents)"
    assert data.notes["vocab"]["top_words"][:3] == ["the", "and", "a"]
    # Words unseen in train are OOV, so held-out splits have more of them than train.
    oov = data.notes["vocab"]["oov_rate"]
    assert 0 < oov["train"] < oov["test"] < 0.1


def test_imdb_rows_are_left_padded(imdb_dir: Path, real_data_dir: Path):
    data = load_dataset("imdb", data_dir=real_data_dir, data_fraction=0.2, seed=5)
    x = data.train.x.numpy()
    real = x != 0
    # Once a row's real tokens start they never stop: padding is only on the left ...
    assert (np.diff(real.astype(np.int8), axis=1) >= 0).all()
    # ... so the last position always holds a real token, and short reviews do have padding.
    assert real[:, -1].all()
    assert (~real[:, 0]).any() and real[:, 0].any()  # some reviews are shorter, some were truncated
    assert 0.1 < data.notes["vocab"]["truncated_fraction_train"] < 0.6
