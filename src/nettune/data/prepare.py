"""Decoded arrays -> PreparedData: subsample, split, normalise or encode, and record how in `notes`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from nettune.data import splits
from nettune.data.catalog import DatasetSpec
from nettune.data.decoded import Decoded, ImageArrays, TextCorpus
from nettune.data.text import OOV, PAD, build_vocab, encode
from nettune.data.types import DatasetInfo, PreparedData, Split
from nettune.errors import DataError

HOLDOUT_FRACTION = 0.2
# The held-out test split ignores the user's seed on purpose: every run, whatever its seed, is then
# scored on the same test examples, as it would be with an official test split.
HOLDOUT_SEED = 0


@dataclass(frozen=True)
class Options:
    data_fraction: float
    seed: int
    val_fraction: float


@dataclass
class SplitPlan:
    train: np.ndarray  # indices into the train arrays
    val: np.ndarray  # indices into the train arrays
    test: np.ndarray  # indices into the test arrays, or into the train arrays when test_from_train
    test_from_train: bool
    notes: dict[str, Any]


def plan_splits(spec: DatasetSpec, y_train: np.ndarray, y_test: np.ndarray | None, opts: Options) -> SplitPlan:
    notes: dict[str, Any] = {"available": {"train": int(y_train.size),
                                           "test": None if y_test is None else int(y_test.size)}}
    if y_test is None:
        train_pool, test_pool = splits.stratified_split(
            y_train, HOLDOUT_FRACTION, splits.rng(HOLDOUT_SEED, splits.HOLDOUT))
        test_labels = y_train[test_pool]
        notes["test_split"] = (f"stratified {HOLDOUT_FRACTION:.0%} held out of the {y_train.size:,}-{spec.unit} "
                               "train split (no test split offline); the same examples for every seed")
    else:
        train_pool, test_pool, test_labels = np.arange(y_train.size), np.arange(y_test.size), y_test
        notes["test_split"] = "official test split"
    if opts.data_fraction < 1.0:
        train_pool = train_pool[splits.stratified_subsample(
            y_train[train_pool], opts.data_fraction, splits.rng(opts.seed, splits.SUBSAMPLE_TRAIN))]
        test_pool = test_pool[splits.stratified_subsample(
            test_labels, opts.data_fraction, splits.rng(opts.seed, splits.SUBSAMPLE_TEST))]
        notes["subsample"] = f"stratified {opts.data_fraction:g} of train and of test, by seed"
    keep, held = splits.stratified_split(y_train[train_pool], opts.val_fraction,
                                         splits.rng(opts.seed, splits.VALIDATION))
    notes["val_split"] = f"stratified {opts.val_fraction:g} of the (subsampled) train split"
    # Shuffle each split once so consumers that iterate in order (evaluation, tiny subsets, plots) never
    # see class-sorted data: GTSRB and the IMDB files are stored sorted by class.
    shuffle = splits.rng(opts.seed, splits.SHUFFLE)
    train, val, test = (shuffle.permutation(a) for a in (train_pool[keep], train_pool[held], test_pool))
    notes["sizes"] = {"train": int(train.size), "val": int(val.size), "test": int(test.size)}
    return SplitPlan(train, val, test, y_test is None, notes)


def prepare(spec: DatasetSpec, decoded: Decoded, source_format: str, opts: Options) -> PreparedData:
    notes: dict[str, Any] = {"dataset": spec.name, "format": source_format, "seed": opts.seed,
                             "data_fraction": opts.data_fraction, "val_fraction": opts.val_fraction}
    if isinstance(decoded, ImageArrays):
        return _prepare_images(spec, decoded, opts, notes)
    return _prepare_text(spec, decoded, opts, notes)


def _check_labels(spec: DatasetSpec, *label_arrays: np.ndarray | None) -> None:
    for labels in label_arrays:
        if labels is not None and labels.size and (labels.min() < 0 or labels.max() >= spec.num_classes):
            raise DataError(f"{spec.name} labels span {labels.min()}..{labels.max()} but the dataset has "
                            f"{spec.num_classes} classes; the files are corrupt, delete them to fetch again.")


def _prepare_images(spec: DatasetSpec, data: ImageArrays, opts: Options, notes: dict[str, Any]) -> PreparedData:
    _check_labels(spec, data.y_train, data.y_test)
    if spec.image_shape is not None and tuple(data.x_train.shape[1:]) != spec.image_shape:
        raise DataError(f"{spec.name} images are {data.x_train.shape[1:]}, expected {spec.image_shape}; "
                        "the files are corrupt, delete them to fetch again.")
    y_train = np.asarray(data.y_train)
    plan = plan_splits(spec, y_train, None if data.y_test is None else np.asarray(data.y_test), opts)
    x_test_src = data.x_train if plan.test_from_train else data.x_test
    y_test_src = y_train if plan.test_from_train else np.asarray(data.y_test)
    train_raw = np.ascontiguousarray(data.x_train[plan.train])  # also drops the memmap subclass
    # Per-channel statistics of the train split only: validation and test must not leak into them.
    mean, std = _channel_stats(train_raw)

    def normalised(raw: np.ndarray) -> torch.Tensor:
        # (x / 255 - mean) / std as one multiply and one subtract per channel.
        scale = torch.tensor(1.0 / (255.0 * std), dtype=torch.float32)[None, :, None, None]
        shift = torch.tensor(mean / std, dtype=torch.float32)[None, :, None, None]
        return torch.from_numpy(raw).float().mul_(scale).sub_(shift)

    train = Split(normalised(train_raw), _labels(y_train, plan.train))
    val = Split(normalised(np.ascontiguousarray(data.x_train[plan.val])), _labels(y_train, plan.val))
    test = Split(normalised(np.ascontiguousarray(x_test_src[plan.test])), _labels(y_test_src, plan.test))
    notes |= plan.notes
    notes["normalization"] = {"mean": [round(float(v), 6) for v in mean],
                              "std": [round(float(v), 6) for v in std], "scale": "pixels / 255",
                              "computed_on": "train split"}
    info = DatasetInfo(spec.name, "image", spec.num_classes, spec.class_names, tuple(train_raw.shape[1:]),
                       hflip_keeps_class=spec.hflip_keeps_class)
    return PreparedData(info, train, val, test, notes)


def _channel_stats(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact per-channel mean and std of uint8 images (N, C, H, W), in units of pixels / 255.

    A 256-bin histogram per channel gives exact float64 moments several times faster than reducing
    the float tensor (torch.bincount on uint8 is ~5x faster than numpy's), which matters because every
    trial's data load pays for it.
    """
    means, stds = [], []
    pixels = torch.from_numpy(raw)
    for c in range(raw.shape[1]):
        counts = torch.bincount(pixels[:, c].reshape(-1), minlength=256).numpy().astype(np.float64)
        values = np.arange(256, dtype=np.float64) / 255.0
        total = max(counts.sum(), 1.0)
        mean = float(counts @ values) / total
        var = max(float(counts @ (values - mean) ** 2) / total, 0.0)
        means.append(mean)
        stds.append(max(var**0.5, 1e-6))  # a constant channel (tiny synthetic data) must not divide by 0
    return np.asarray(means), np.asarray(stds)


def _labels(y: np.ndarray, rows: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(y[rows], dtype=np.int64))  # a plain array, not a memmap


def _prepare_text(spec: DatasetSpec, corpus: TextCorpus, opts: Options, notes: dict[str, Any]) -> PreparedData:
    _check_labels(spec, corpus.train.labels, None if corpus.test is None else corpus.test.labels)
    if spec.max_words is None or spec.seq_len is None:
        raise DataError(f"{spec.name} has no vocabulary settings in the catalog.")  # a programming error
    y_train = np.asarray(corpus.train.labels)
    y_test = None if corpus.test is None else np.asarray(corpus.test.labels)
    plan = plan_splits(spec, y_train, y_test, opts)
    test_docs = corpus.train if plan.test_from_train or corpus.test is None else corpus.test
    lookup, vocab_size = build_vocab(corpus.train, plan.train, corpus.num_raw_ids, spec.max_words)
    seq_len = spec.seq_len
    xs = {"train": encode(corpus.train, plan.train, lookup, seq_len),
          "val": encode(corpus.train, plan.val, lookup, seq_len),
          "test": encode(test_docs, plan.test, lookup, seq_len)}
    train = Split(torch.from_numpy(xs["train"]), _labels(y_train, plan.train))
    val = Split(torch.from_numpy(xs["val"]), _labels(y_train, plan.val))
    test = Split(torch.from_numpy(xs["test"]), _labels(np.asarray(test_docs.labels), plan.test))
    vocabulary = None if corpus.words is None else _vocabulary(lookup, vocab_size, corpus.words)
    notes |= plan.notes
    lengths = np.diff(corpus.train.offsets)[plan.train]
    notes["vocab"] = {
        "max_words": spec.max_words, "vocab_size": vocab_size, "seq_len": seq_len,
        "ids": "0 = padding, 1 = out-of-vocabulary, 2.. = words by train frequency; left-padded, "
               "truncation keeps the last tokens",
        "built_on": f"train split only ({plan.train.size:,} documents)",
        "oov_rate": {name: _oov_rate(x) for name, x in xs.items()},
        "truncated_fraction_train": round(float((lengths > seq_len).mean()) if lengths.size else 0.0, 4),
    }
    if corpus.words is not None:
        kept_raw = np.flatnonzero(lookup != OOV)
        top_raw = kept_raw[np.argsort(lookup[kept_raw])][:10]
        notes["vocab"]["top_words"] = [corpus.words[r] for r in top_raw if r < len(corpus.words)]
    info = DatasetInfo(spec.name, "text", spec.num_classes, spec.class_names, (seq_len,), vocab_size)
    return PreparedData(info, train, val, test, notes, vocabulary)


def _oov_rate(x: np.ndarray) -> float:
    real = int((x != PAD).sum())
    return round(float((x == OOV).sum()) / real, 4) if real else 0.0


def _vocabulary(lookup: np.ndarray, vocab_size: int, raw_words: Sequence[str]) -> tuple[str, ...]:
    """Model token id -> word, inverting the raw-id lookup table."""
    words = np.full(vocab_size, "", dtype=object)
    words[PAD], words[OOV] = "<pad>", "<unk>"
    kept = np.flatnonzero(lookup != OOV)
    kept = kept[kept < len(raw_words)]
    words[lookup[kept]] = np.asarray(raw_words, dtype=object)[kept]
    return tuple(words.tolist())

