"""Text readers on tiny synthetic files in the canonical formats: Keras word-index arrays, aclImdb tarball."""

from __future__ import annotations

import io
import json
import os
import pickle
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pytest

from nettune.data import load_dataset
from nettune.errors import DataError


def object_array(seqs: list[list[int]]) -> np.ndarray:
    arr = np.empty(len(seqs), dtype=object)
    for i, s in enumerate(seqs):
        arr[i] = list(s)
    return arr


def test_reuters_npz_keras_split_vocab_cap_and_word_index(tmp_path: Path):
    rng = np.random.default_rng(0)
    n = 200
    labels = np.arange(n) % 4
    # Word ranks 1..15000: every doc has its label's marker word (rank 1..4) and random rare words,
    # so the train split holds far more than 10,000 distinct words and the cap must bite.
    seqs = [[int(lab) + 1, *rng.integers(5, 15_000, size=int(rng.integers(50, 300))).tolist()] for lab in labels]
    folder = tmp_path / "reuters"
    folder.mkdir()
    np.savez(folder / "reuters.npz", x=object_array(seqs), y=labels)
    (folder / "reuters_word_index.json").write_text(json.dumps({f"w{r}": r for r in range(1, 15_000)}))
    data = load_dataset("reuters", data_dir=tmp_path, allow_download=False)
    assert data.notes["format"] == "Keras reuters.npz word-index arrays"
    assert data.info.num_classes == 46 and data.info.class_names[:3] == ("cocoa", "grain", "veg-oil")
    assert data.info.input_shape == (200,) and data.info.vocab_size == 10_002
    # The Keras split: RandomState(113) shuffle, first 80% train (160), last 20% test (40).
    order = np.arange(n)
    np.random.RandomState(113).shuffle(order)
    assert sorted(data.test.y.tolist()) == sorted(labels[order[160:]].tolist())
    assert len(data.train) + len(data.val) == 160
    assert int(data.train.x.max()) < 10_002 and data.notes["vocab"]["oov_rate"]["train"] > 0
    assert data.notes["vocab"]["top_words"][0].startswith("w")  # ids mapped back to words via the json
    # Sequences longer than seq_len keep their last 200 tokens; shorter ones are left-padded.
    assert (data.train.x[:, -1] != 0).all() and (data.train.x[:, 0] == 0).any()


def test_imdb_npz_with_presplit_arrays(tmp_path: Path):
    folder = tmp_path / "imdb"
    folder.mkdir()
    train = [[1, 14, 22, 16], [1, 194, 1153, 194, 8255], [1, 14, 47], [1, 249, 1323]]
    test = [[1, 591, 202], [1, 14, 22, 4]]
    np.savez(folder / "imdb.npz", x_train=object_array(train), y_train=np.array([1, 0, 1, 0]),
             x_test=object_array(test), y_test=np.array([1, 0]))
    data = load_dataset("imdb", data_dir=tmp_path, val_fraction=0.5, allow_download=False)
    assert data.notes["format"] == "Keras imdb.npz word-index arrays"
    assert data.notes["test_split"] == "official test split" and len(data.test) == 2
    # Rank 1 (the start marker) is in every training sequence, so it is the most frequent word (id 2);
    # ranks 591 and 202 never occur in the training arrays, so they are out of vocabulary (id 1).
    test_rows = {int(y): row for row, y in zip(data.test.x.tolist(), data.test.y.tolist(), strict=True)}
    assert test_rows[1] == [0] * 253 + [2, 1, 1]


def test_imdb_acl_tarball_ignores_unlabelled_reviews(tmp_path: Path):
    reviews = {"train/pos/0_9.txt": "Loved it", "train/pos/1_8.txt": "Loved the cast",
               "train/neg/0_1.txt": "Hated it", "train/neg/1_2.txt": "Hated the plot",
               "test/pos/0_10.txt": "Loved", "test/neg/0_3.txt": "Hated", "train/unsup/0_0.txt": "No label",
               "imdb.vocab": "loved\nhated\n"}
    folder = tmp_path / "imdb"
    folder.mkdir()
    with tarfile.open(folder / "aclImdb_v1.tar.gz", "w:gz") as tar:
        for rel, text in reviews.items():
            blob = text.encode()
            info = tarfile.TarInfo(f"aclImdb/{rel}")
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    data = load_dataset("imdb", data_dir=tmp_path, val_fraction=0.5, allow_download=False)
    assert data.notes["format"] == "aclImdb_v1.tar.gz (official train + test)"
    assert data.notes["available"] == {"train": 4, "test": 2}
    assert sorted(data.test.y.tolist()) == [0, 1]


def test_malicious_npz_object_array_is_refused(tmp_path: Path):
    class Exploit:
        def __reduce__(self):
            return (os.getcwd, ())

    folder = tmp_path / "reuters"
    folder.mkdir()
    npy = io.BytesIO()
    np.lib.format.write_array_header_1_0(npy, {"descr": "|O", "fortran_order": False, "shape": (1,)})
    npy.write(pickle.dumps(np.array([Exploit()], dtype=object), protocol=3))
    with zipfile.ZipFile(folder / "reuters.npz", "w") as zf:
        zf.writestr("x.npy", npy.getvalue())
        buf = io.BytesIO()
        np.save(buf, np.array([0]))
        zf.writestr("y.npy", buf.getvalue())
    with pytest.raises(DataError, match="refusing to load"):
        load_dataset("reuters", data_dir=tmp_path, allow_download=False)
