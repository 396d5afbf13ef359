"""Reuters-46: the Keras reuters.npz word-index arrays, with reuters_word_index.json when present."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nettune.data.cache import Found
from nettune.data.decoded import TextCorpus
from nettune.data.keras_arrays import num_raw_ids, read_npz, read_word_index, to_docs
from nettune.errors import DataError

NPZ, WORD_INDEX = "reuters.npz", "reuters_word_index.json"
NEEDED = f"{NPZ} (and optionally {WORD_INDEX})"
# keras.datasets.reuters.load_data() defaults: the published 8,982 / 2,246 split is this shuffle.
KERAS_SPLIT_SEED, KERAS_TEST_SPLIT = 113, 0.2


def find(root: Path) -> Found | None:
    npz = root / NPZ
    if not npz.is_file():
        return None
    words = root / WORD_INDEX
    files = (npz, words) if words.is_file() else (npz,)
    return Found("Keras reuters.npz word-index arrays", files)


def decode(found: Found) -> TextCorpus:
    npz = found.files[0]
    arrays = read_npz(npz)
    if {"x_train", "y_train", "x_test", "y_test"} <= arrays.keys():
        train = to_docs(arrays["x_train"], arrays["y_train"], f"{npz} train")
        test = to_docs(arrays["x_test"], arrays["y_test"], f"{npz} test")
    elif {"x", "y"} <= arrays.keys():
        x, y = arrays["x"], arrays["y"]
        # Reproduce Keras exactly (RandomState(113).shuffle, first 80% train) so results are comparable
        # with everything else reported on "Reuters-46".
        order = np.arange(len(x))
        np.random.RandomState(KERAS_SPLIT_SEED).shuffle(order)
        cut = int(len(x) * (1 - KERAS_TEST_SPLIT))
        train = to_docs(x[order[:cut]], y[order[:cut]], f"{npz} train")
        test = to_docs(x[order[cut:]], y[order[cut:]], f"{npz} test")
    else:
        raise DataError(f"{npz} has arrays {sorted(arrays)}; expected x and y (or x_train, y_train, x_test, "
                        "y_test) as in the Keras file; delete it so it is fetched again.")
    words = read_word_index(npz.parent / WORD_INDEX)
    return TextCorpus(train, test, num_raw_ids(words, train, test), words)
