"""The Keras word-index arrays (imdb.npz, reuters.npz): object arrays whose items are lists of word ranks."""

from __future__ import annotations

import json
import pickle
import zipfile
from pathlib import Path

import numpy as np

from nettune.data import safe_pickle
from nettune.data.decoded import Docs
from nettune.errors import DataError


def read_npz(path: Path) -> dict[str, np.ndarray]:
    try:
        return safe_pickle.load_npz(path)
    except (zipfile.BadZipFile, pickle.UnpicklingError, ValueError, TypeError, OSError, EOFError) as exc:
        raise DataError(f"Cannot read {path} as Keras word-index arrays ({exc}); delete it so it is "
                        "fetched again.") from exc


def to_docs(x: np.ndarray, y: np.ndarray, where: str) -> Docs:
    if len(x) != len(y):
        raise DataError(f"{where}: {len(x)} sequences but {len(y)} labels; the file is corrupt, delete it.")
    try:
        seqs = [np.asarray(seq, dtype=np.int64).ravel() for seq in x]
    except (TypeError, ValueError) as exc:
        raise DataError(f"{where}: sequences are not lists of integers ({exc}); the file is corrupt.") from exc
    if any(s.size and s.min() < 0 for s in seqs):
        raise DataError(f"{where}: negative word index; the file is corrupt, delete it.")
    return Docs.from_lists(seqs, np.asarray(y, dtype=np.int64))


def read_word_index(path: Path) -> tuple[str, ...] | None:
    """raw id -> word from a Keras *_word_index.json ({word: rank}); None when absent or unreadable,
    because the words are only informative: the model works on ids."""
    if not path.is_file():
        return None
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    words = [""] * (max(index.values(), default=0) + 1)
    for word, rank in index.items():
        if "\n" not in word:
            words[rank] = word
    return tuple(words)


def num_raw_ids(words: tuple[str, ...] | None, *docs: Docs | None) -> int:
    highest = max((int(d.tokens.max()) for d in docs if d is not None and d.tokens.size), default=0)
    return max(highest + 1, len(words or ()))
