"""Deterministic, stratified index selection: subsampling, validation and held-out test splits.

Every function works per class so class proportions survive, and draws from a generator derived from
(seed, purpose), so e.g. changing val_fraction never changes which examples the subsample kept.
"""

from __future__ import annotations

import numpy as np

# Distinct streams per use of randomness (mixed into the seed; the values themselves are arbitrary).
HOLDOUT, SUBSAMPLE_TRAIN, SUBSAMPLE_TEST, VALIDATION, SHUFFLE = 1, 2, 3, 4, 5


def rng(seed: int, purpose: int) -> np.random.Generator:
    return np.random.default_rng([seed, purpose])


def stratified_subsample(labels: np.ndarray, fraction: float, gen: np.random.Generator) -> np.ndarray:
    """Sorted indices of round(fraction * n_c) examples of each class c (at least one per class present)."""
    if fraction >= 1.0:
        return np.arange(labels.shape[0])
    keep = []
    for cls in np.unique(labels):
        members = np.flatnonzero(labels == cls)
        n = max(1, round(members.size * fraction))
        keep.append(gen.choice(members, size=n, replace=False))
    return np.sort(np.concatenate(keep)) if keep else np.zeros(0, dtype=np.int64)


def stratified_split(labels: np.ndarray, fraction: float, gen: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(kept, held out) sorted index arrays with about `fraction` of every class held out.

    A class never loses its last example to the held-out side, and when rounding would hold out nothing
    at all (tiny subsamples) one example of the largest class is held out, so neither side is empty.
    """
    held = []
    shuffled_classes = []
    for cls in np.unique(labels):
        members = gen.permutation(np.flatnonzero(labels == cls))
        n = min(round(members.size * fraction), members.size - 1)
        shuffled_classes.append(members)
        held.append(members[:n])
    held_idx = np.concatenate(held) if held else np.zeros(0, dtype=np.int64)
    if held_idx.size == 0 and fraction > 0 and labels.shape[0] >= 2:
        held_idx = max(shuffled_classes, key=lambda m: m.size)[:1]
    mask = np.zeros(labels.shape[0], dtype=bool)
    mask[held_idx] = True
    return np.flatnonzero(~mask), np.flatnonzero(mask)
