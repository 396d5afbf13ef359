"""IMDB reviews, from whichever canonical form is on disk (first match wins, raw text preferred):

1. aclImdb/{train,test}/{pos,neg}/*.txt, the folder of aclImdb_v1.tar.gz (official train + test);
2. aclImdb_v1.tar.gz itself, read without extracting;
3. a CSV with columns text,label (e.g. imdb_train_25k.csv[.gz], the 25,000-review train split only);
4. the Keras imdb.npz word-index arrays (x_train, y_train, x_test, y_test).
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from pathlib import Path

from nettune.data.archives import iter_members
from nettune.data.cache import Found
from nettune.data.decoded import TextCorpus
from nettune.data.keras_arrays import num_raw_ids, read_npz, read_word_index, to_docs
from nettune.data.text import CorpusBuilder
from nettune.errors import DataError

ACL_DIR, ACL_TAR, NPZ = "aclImdb", "aclImdb_v1.tar.gz", "imdb.npz"
CSV_NAMES = ("imdb_train_25k.csv", "imdb_train_25k.csv.gz", "imdb.csv", "imdb.csv.gz")
NEEDED = f"{ACL_TAR} (or its extracted {ACL_DIR}/ folder), or {CSV_NAMES[0]} (columns text,label), or {NPZ}"
_REVIEW = re.compile(r"(?:^|/)(train|test)/(pos|neg)/[^/]+\.txt$")
_LABELS = {"0": 0, "1": 1, "neg": 0, "pos": 1, "negative": 0, "positive": 1}


def find(root: Path) -> Found | None:
    acl = root / ACL_DIR
    label_dirs = [acl / split / label for split in ("train", "test") for label in ("neg", "pos")]
    if all(d.is_dir() for d in label_dirs):
        return Found("aclImdb review folders (official train + test)", (acl,), tuple(label_dirs))
    if (root / ACL_TAR).is_file():
        return Found(f"{ACL_TAR} (official train + test)", (root / ACL_TAR,))
    for name in CSV_NAMES:
        if (root / name).is_file():
            return Found(f"{name} text,label CSV (train split only)", (root / name,))
    if (root / NPZ).is_file():
        return Found("Keras imdb.npz word-index arrays", (root / NPZ,))
    return None


def decode(found: Found) -> TextCorpus:
    source = found.files[0]
    if source.name == NPZ:
        return _decode_npz(source)
    builder = CorpusBuilder()
    if source.name in CSV_NAMES:
        _read_csv(source, builder)
    else:
        for path, content in iter_members(source, lambda n: _REVIEW.search(n) is not None):
            match = _REVIEW.search(path)
            if match is not None:
                split, label = match.groups()
                builder.add(split, content.decode("utf-8", "replace"), _LABELS[label])
    train = builder.docs("train")
    if train is None or len(train) == 0:
        raise DataError(f"No reviews found in {source}; put {NEEDED} into {source.parent}.")
    words = builder.words()
    return TextCorpus(train, builder.docs("test"), len(words), words)


def _read_csv(path: Path, builder: CorpusBuilder) -> None:
    raw = path.read_bytes()
    text = (gzip.decompress(raw) if path.suffix == ".gz" else raw).decode("utf-8")
    rows = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(rows, [])]
    if "text" not in header or "label" not in header:
        raise DataError(f"{path} must have a header with columns text,label (found {header}).")
    text_col, label_col = header.index("text"), header.index("label")
    for line, row in enumerate(rows, start=2):
        label = _LABELS.get(row[label_col].strip().lower()) if len(row) > label_col else None
        if label is None:
            raise DataError(f"{path} line {line}: label must be 0/1 or neg/pos; fix or delete the file.")
        builder.add("train", row[text_col], label)


def _decode_npz(path: Path) -> TextCorpus:
    arrays = read_npz(path)
    try:
        train = to_docs(arrays["x_train"], arrays["y_train"], f"{path} train")
        test = to_docs(arrays["x_test"], arrays["y_test"], f"{path} test")
    except KeyError as exc:
        raise DataError(f"{path} lacks array {exc.args[0]}; expected x_train, y_train, x_test, y_test.") from exc
    words = read_word_index(path.parent / "imdb_word_index.json")
    return TextCorpus(train, test, num_raw_ids(words, train, test), words)
