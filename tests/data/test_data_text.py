"""Tokenizer, train-only vocabulary, left-padding and truncation."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nettune.data import load_dataset
from nettune.data.decoded import Docs
from nettune.data.text import OOV, PAD, build_vocab, encode, tokenize


def test_tokenize_lowercases_strips_breaks_and_keeps_apostrophes():
    text = "I didn't LIKE it.<br /><br />The end... 'Quoted' rock'n'roll, 10/10!"
    assert tokenize(text) == ["i", "didn't", "like", "it", "the", "end", "quoted", "rock'n'roll", "10", "10"]
    assert tokenize("word<br/>next<BR>last") == ["word", "next", "last"]
    assert tokenize("Café naïve—déjà_vu") == ["café", "naïve", "déjà", "vu"]
    assert tokenize(" ... ' '' ") == []


def docs(*seqs: list[int]) -> Docs:
    return Docs.from_lists([np.asarray(s, dtype=np.int32) for s in seqs], list(range(len(seqs))))


def test_encode_left_pads_and_keeps_the_last_tokens():
    d = docs([5, 6], [1, 2, 3, 4, 5, 6, 7], [], [9, 9, 9, 9])
    lookup = np.arange(10, dtype=np.int64) + 100  # identity-like map so positions are easy to read
    out = encode(d, np.array([0, 1, 2, 3]), lookup, seq_len=4)
    assert out.tolist() == [
        [PAD, PAD, 105, 106],  # short: padded on the left
        [104, 105, 106, 107],  # long: the LAST four tokens survive
        [PAD, PAD, PAD, PAD],  # empty document
        [109, 109, 109, 109],  # exactly seq_len
    ]
    # Row selection and order are respected.
    assert encode(d, np.array([3, 0]), lookup, seq_len=3).tolist() == [[109, 109, 109], [PAD, 105, 106]]


def test_vocab_counts_only_the_given_rows_and_caps_size():
    # raw ids: 0 frequent in train docs, 1 less frequent, 2 rare, 3 appears only in doc 2 (the "test" doc)
    d = docs([0, 0, 0, 1, 1, 2], [0, 1, 0], [3, 3, 3, 3, 3, 3, 3])
    lookup, vocab_size = build_vocab(d, np.array([0, 1]), num_raw_ids=4, max_words=10)
    assert vocab_size == 2 + 3  # pad, OOV and the three words seen in train
    assert lookup.tolist() == [2, 3, 4, OOV]  # by train frequency; test-only word 3 is OOV
    capped, capped_size = build_vocab(d, np.array([0, 1]), num_raw_ids=4, max_words=2)
    assert capped_size == 4 and capped.tolist() == [2, 3, OOV, OOV]


def write_acl_imdb(root: Path) -> None:
    reviews = {
        ("train", "pos"): ["A great great film.", "Great acting, great story<br />great fun"],
        ("train", "neg"): ["A bad film. Bad bad bad.", "Terrible and bad."],
        ("test", "pos"): ["Great zyzzyva great"],
        ("test", "neg"): ["Bad zyzzyva"],
    }
    for (split, label), texts in reviews.items():
        folder = root / "imdb" / "aclImdb" / split / label
        folder.mkdir(parents=True)
        for i, text in enumerate(texts):
            (folder / f"{i}_{7 if label == 'pos' else 2}.txt").write_text(text, encoding="utf-8")


def test_a_word_only_in_test_is_out_of_vocabulary(tmp_path: Path):
    write_acl_imdb(tmp_path)
    data = load_dataset("imdb", data_dir=tmp_path, val_fraction=0.5, allow_download=False)
    assert data.notes["format"] == "aclImdb review folders (official train + test)"
    assert data.notes["test_split"] == "official test split"
    assert data.notes["sizes"] == {"train": 2, "val": 2, "test": 2}
    # "zyzzyva" occurs only in test reviews: its position (the middle / last word) is OOV.
    test_rows = {int(y): row.tolist() for row, y in zip(data.test.x, data.test.y, strict=True)}
    assert test_rows[1][-3:] == [test_rows[1][-3], OOV, test_rows[1][-3]]  # great zyzzyva great
    assert test_rows[1][-3] > OOV  # "great" is a known word
    assert test_rows[0][-1] == OOV and test_rows[0][-2] > OOV  # bad zyzzyva
    assert all(v == PAD for v in test_rows[0][:-2])
    assert OOV not in data.train.x.tolist()[0] + data.train.x.tolist()[1]  # train words are all known
