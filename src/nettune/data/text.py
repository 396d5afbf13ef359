"""Text to fixed-length token-id rows: tokenizer, train-only vocabulary, left-padding and truncation.

Id scheme shared by every text dataset: 0 = padding, 1 = out-of-vocabulary, 2.. = words by descending
train-split frequency. Rows are left-padded and truncation keeps the last tokens, so the final steps an
LSTM sees are always real text.
"""

from __future__ import annotations

import re

import numpy as np

from nettune.data.decoded import Docs

PAD, OOV = 0, 1
_FIRST_WORD_ID = 2
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
# Runs of letters/digits (any script), with apostrophes kept inside words ("don't", "o'brien") but not
# around them (quotes). [^\W_] is "alphanumeric" in Python's regex dialect.
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(_BREAK.sub(" ", text.lower()))


class CorpusBuilder:
    """Tokenises documents into raw ids (first-seen order), one shared word table for all splits."""

    def __init__(self) -> None:
        self.word_ids: dict[str, int] = {}
        self._splits: dict[str, tuple[list[np.ndarray], list[int]]] = {}

    def add(self, split: str, text: str, label: int) -> None:
        ids = self.word_ids
        # setdefault evaluates len(ids) before inserting, so a new word gets the next free id.
        seq = [ids.setdefault(tok, len(ids)) for tok in tokenize(text)]
        seqs, labels = self._splits.setdefault(split, ([], []))
        seqs.append(np.asarray(seq, dtype=np.int32))
        labels.append(label)

    def docs(self, split: str) -> Docs | None:
        if split not in self._splits:
            return None
        seqs, labels = self._splits[split]
        return Docs.from_lists(seqs, labels)

    def words(self) -> tuple[str, ...]:
        return tuple(self.word_ids)  # dicts keep insertion order, which is id order


def build_vocab(docs: Docs, rows: np.ndarray, num_raw_ids: int, max_words: int) -> tuple[np.ndarray, int]:
    """Map raw ids to model ids using only the documents `rows` of `docs` (the train split).

    Returns (lookup table raw id -> model id, vocab_size = number of model ids incl. PAD and OOV).
    Raw ids never seen in those documents map to OOV, so a word that only occurs in validation or
    test data is unknown to the model, exactly as it would be for genuinely new text.
    """
    counts = np.bincount(gather_tokens(docs, rows), minlength=num_raw_ids)
    order = np.argsort(-counts, kind="stable")  # ties broken by raw id: deterministic
    kept = order[:max_words]
    kept = kept[counts[kept] > 0]
    lookup = np.full(num_raw_ids, OOV, dtype=np.int64)
    lookup[kept] = np.arange(_FIRST_WORD_ID, _FIRST_WORD_ID + kept.size)
    return lookup, _FIRST_WORD_ID + int(kept.size)


def gather_tokens(docs: Docs, rows: np.ndarray) -> np.ndarray:
    """All raw tokens of documents `rows`, concatenated."""
    starts, ends = docs.offsets[rows], docs.offsets[rows + 1]
    return docs.tokens[_ranges(starts, ends)]


def encode(docs: Docs, rows: np.ndarray, lookup: np.ndarray, seq_len: int) -> np.ndarray:
    """int64 (len(rows), seq_len): the last `seq_len` tokens of each document, left-padded with PAD."""
    starts, ends = docs.offsets[rows], docs.offsets[rows + 1]
    kept = np.minimum(ends - starts, seq_len)
    out = np.full((rows.size, seq_len), PAD, dtype=np.int64)
    if kept.sum() == 0:
        return out
    source = _ranges(ends - kept, ends)
    row_of = np.repeat(np.arange(rows.size), kept)
    # Position within the row: right-aligned, so document i fills columns seq_len-kept[i] .. seq_len-1.
    within = np.arange(source.size) - np.repeat(np.cumsum(kept) - kept, kept)
    out[row_of, seq_len - kept[row_of] + within] = lookup[docs.tokens[source]]
    return out


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Concatenation of arange(s, e) for each pair, without a Python loop."""
    lengths = ends - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    first = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return first + np.arange(total)
