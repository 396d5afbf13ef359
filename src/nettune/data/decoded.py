"""Decoded datasets before splitting: what format readers produce and the on-disk cache stores.

Everything here is plain numpy so it can be saved as .npy files and memory-mapped back, which is what
makes a second load fast.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class ImageArrays:
    x_train: np.ndarray  # uint8 (N, C, H, W)
    y_train: np.ndarray  # int64 (N,)
    x_test: np.ndarray | None  # None when the on-disk copy has no test split
    y_test: np.ndarray | None

    def to_arrays(self) -> dict[str, np.ndarray]:
        arrays = {"x_train": self.x_train, "y_train": self.y_train}
        if self.x_test is not None and self.y_test is not None:
            arrays |= {"x_test": self.x_test, "y_test": self.y_test}
        return arrays

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> ImageArrays:
        return cls(arrays["x_train"], arrays["y_train"], arrays.get("x_test"), arrays.get("y_test"))


@dataclass
class Docs:
    """Variable-length token sequences stored flat: doc i is tokens[offsets[i]:offsets[i + 1]]."""

    tokens: np.ndarray  # int32, raw token ids (see TextCorpus)
    offsets: np.ndarray  # int64 (n_docs + 1,)
    labels: np.ndarray  # int64 (n_docs,)

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    @classmethod
    def from_lists(cls, sequences: list[np.ndarray], labels: list[int] | np.ndarray) -> Docs:
        lengths = np.fromiter((len(s) for s in sequences), dtype=np.int64, count=len(sequences))
        offsets = np.zeros(len(sequences) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        tokens = (np.concatenate(sequences).astype(np.int32, copy=False) if sequences
                  else np.zeros(0, dtype=np.int32))
        return cls(tokens, offsets, np.asarray(labels, dtype=np.int64))


@dataclass
class TextCorpus:
    """Tokenised documents. Raw ids index `words` (when known); they are NOT the model's ids: the
    vocabulary that maps them to 0 = pad, 1 = OOV, 2.. = frequent words is built later, per split."""

    train: Docs
    test: Docs | None
    num_raw_ids: int
    words: tuple[str, ...] | None  # raw id -> word, None for pre-indexed arrays without a word index

    def to_arrays(self) -> dict[str, np.ndarray]:
        arrays = {"train_tokens": self.train.tokens, "train_offsets": self.train.offsets,
                  "train_labels": self.train.labels,
                  "num_raw_ids": np.asarray([self.num_raw_ids], dtype=np.int64)}
        if self.test is not None:
            arrays |= {"test_tokens": self.test.tokens, "test_offsets": self.test.offsets,
                       "test_labels": self.test.labels}
        return arrays

    def words_text(self) -> str | None:
        # Words are saved as one per line: they never contain whitespace, and this loads much faster
        # than a fixed-width numpy string array.
        return None if self.words is None else "\n".join(self.words)

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], words_text: str | None) -> TextCorpus:
        test = None
        if "test_tokens" in arrays:
            test = Docs(arrays["test_tokens"], arrays["test_offsets"], arrays["test_labels"])
        words = None if words_text is None else tuple(words_text.split("\n")) if words_text else ()
        return cls(Docs(arrays["train_tokens"], arrays["train_offsets"], arrays["train_labels"]), test,
                   int(arrays["num_raw_ids"][0]), words)


Decoded = ImageArrays | TextCorpus
