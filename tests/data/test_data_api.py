"""Public API surface: names, catalog, data dir, argument checking, and the stratified split helpers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import platformdirs
import pytest

from nettune.data import dataset_catalog, dataset_names, default_data_dir, load_dataset, splits
from nettune.errors import ConfigError, DataError

ALL = ["mnist", "fashion_mnist", "cifar10", "cifar100", "gtsrb", "imdb", "reuters"]


def test_dataset_names():
    assert dataset_names() == ALL


@pytest.mark.parametrize(("typo", "suggestion"), [("minst", "mnist"), ("cifar1000", "cifar100"),
                                                  ("reuter", "reuters"), ("fashion", "fashion_mnist")])
def test_unknown_name_lists_valid_names_and_suggests_the_closest(typo: str, suggestion: str):
    with pytest.raises(ConfigError) as err:
        load_dataset(typo)
    message = str(err.value)
    assert f"Did you mean '{suggestion}'?" in message
    assert all(name in message for name in ALL)


def test_common_spellings_resolve(tmp_path: Path):
    # Resolution happens before any file access: the error is about missing data, not the name.
    for spelling, name in (("Fashion-MNIST", "fashion_mnist"), ("CIFAR-10", "cifar10"), ("fmnist", "fashion_mnist")):
        with pytest.raises(DataError, match=f"Dataset '{name}' is not on disk"):
            load_dataset(spelling, data_dir=tmp_path, allow_download=False)


@pytest.mark.parametrize("kwargs", [{"data_fraction": 0.0}, {"data_fraction": 1.5}, {"data_fraction": -0.1},
                                    {"val_fraction": 0.0}, {"val_fraction": 1.0}])
def test_bad_fractions_are_config_errors(kwargs: dict, tmp_path: Path):
    with pytest.raises(ConfigError, match="fraction must be in"):
        load_dataset("mnist", data_dir=tmp_path, allow_download=False, **kwargs)


def test_catalog_describes_every_dataset_and_what_is_offline(tmp_path: Path):
    (tmp_path / "reuters").mkdir()
    (tmp_path / "reuters" / "reuters.npz").write_bytes(b"")  # presence is what the catalog reports
    catalog = {entry["name"]: entry for entry in dataset_catalog(tmp_path)}
    assert list(catalog) == ALL
    assert catalog["reuters"]["available_offline"] and not catalog["mnist"]["available_offline"]
    assert catalog["reuters"]["offline_format"] == "Keras reuters.npz word-index arrays"
    expected = {"mnist": (10, 60_000, 10_000, "image"), "cifar100": (100, 50_000, 10_000, "image"),
                "gtsrb": (43, 39_209, 12_630, "image"), "imdb": (2, 25_000, 25_000, "text"),
                "reuters": (46, 8_982, 2_246, "text")}
    for name, (classes, train, test, modality) in expected.items():
        entry = catalog[name]
        assert (entry["num_classes"], entry["train_size"], entry["test_size"], entry["modality"]) == (
            classes, train, test, modality)
        assert len(entry["class_names"]) == classes == len(set(entry["class_names"]))
    assert catalog["cifar10"]["input_shape"] == (3, 32, 32) and catalog["imdb"]["input_shape"] == (256,)


def test_default_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("NETTUNE_DATA_DIR", str(tmp_path / "elsewhere"))
    assert default_data_dir() == tmp_path / "elsewhere"
    monkeypatch.delenv("NETTUNE_DATA_DIR")
    assert default_data_dir() == Path(platformdirs.user_cache_dir("nettune")) / "datasets"


def test_stratified_subsample_keeps_class_proportions_and_is_deterministic():
    labels = np.repeat([0, 1, 2], [100, 50, 10])
    picked = splits.stratified_subsample(labels, 0.2, splits.rng(7, splits.SUBSAMPLE_TRAIN))
    assert np.bincount(labels[picked]).tolist() == [20, 10, 2]
    again = splits.stratified_subsample(labels, 0.2, splits.rng(7, splits.SUBSAMPLE_TRAIN))
    other = splits.stratified_subsample(labels, 0.2, splits.rng(8, splits.SUBSAMPLE_TRAIN))
    assert np.array_equal(picked, again) and not np.array_equal(picked, other)
    # Even a tiny fraction keeps every class present.
    tiny = splits.stratified_subsample(labels, 0.001, splits.rng(0, splits.SUBSAMPLE_TRAIN))
    assert np.bincount(labels[tiny]).tolist() == [1, 1, 1]


def test_stratified_split_partitions_and_never_empties_a_side():
    labels = np.repeat([0, 1, 2], [100, 50, 1])
    kept, held = splits.stratified_split(labels, 0.1, splits.rng(0, splits.VALIDATION))
    assert np.bincount(labels[held], minlength=3).tolist() == [10, 5, 0]  # a singleton class stays in train
    assert sorted(np.concatenate([kept, held]).tolist()) == list(range(151))
    kept, held = splits.stratified_split(np.array([0, 0, 1, 1]), 0.1, splits.rng(0, splits.VALIDATION))
    assert held.size == 1 and kept.size == 3
