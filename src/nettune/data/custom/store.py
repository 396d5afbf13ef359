"""The user's own datasets in the decoded cache: decode once per content, load by key afterwards.

Layout: <data_dir>/custom/<key>/.decoded/ holds the arrays (the same memory-mapped cache as the built-in
datasets) and <key>/dataset.json the facts a DatasetSpec needs plus how the files were read. `sources.json` maps
each path (with its decode options) to its last listing fingerprint and key, so an unchanged folder is found
with one stat per file and no decoding; a changed, added or removed file changes the listing, the content is
hashed again, and new content gets a new key.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nettune.data.cache import Found, load_decoded, save_decoded
from nettune.data.catalog import DatasetSpec
from nettune.data.custom.arrays import decode_arrays
from nettune.data.custom.images import decode_images
from nettune.data.custom.scan import Source, scan
from nettune.data.custom.tables import decode_table
from nettune.data.decoded import Decoded, ImageArrays, TextCorpus
from nettune.dataset_ref import CUSTOM_PREFIX, label
from nettune.errors import DataError

MAX_WORDS = 20_000  # vocabulary kept for text, as for IMDB
SEQ_LEN_RANGE = (16, 256)  # tokens per example: the 90th percentile of the training lengths, clamped
FACTS = "dataset.json"
INDEX = "sources.json"


@dataclass(frozen=True)
class CustomOptions:
    image_size: int | None = None
    text_column: str | None = None
    label_column: str | None = None


@dataclass(frozen=True)
class CustomData:
    spec: DatasetSpec
    decoded: Decoded
    format: str
    notes: dict[str, Any]  # how the files were read: source, family and why, sizes chosen, files skipped


def custom_dir(data_dir: Path) -> Path:
    return data_dir / "custom"


def ingest(name: str, data_dir: Path, options: CustomOptions) -> str:
    """The content key of the data at path `name`, decoding it into the cache unless that content is there."""
    source = scan(name)
    root = custom_dir(data_dir)
    entry_id = json.dumps([str(source.path), asdict(options)])
    index = _read_json(root / INDEX) or {}
    listing = source.listing()
    entry = index.get(entry_id)
    if entry and entry.get("listing") == listing and (root / entry["key"] / FACTS).is_file():
        return str(entry["key"])
    content = source.content_hash()
    key = hashlib.sha256(f"{content}\0{json.dumps(asdict(options))}".encode()).hexdigest()[:16]
    if not (root / key / FACTS).is_file():
        _decode_into(root / key, source, options, content)
    index[entry_id] = {"listing": listing, "key": key}
    _write_json(root / INDEX, index)
    return key


def load_custom(key: str, data_dir: Path) -> CustomData:
    folder = custom_dir(data_dir) / key
    facts = _read_json(folder / FACTS)
    cached = load_decoded(folder, None) if facts else None
    if facts is None or cached is None:
        raise DataError(f"dataset {CUSTOM_PREFIX}{key} is not in the cache at {custom_dir(data_dir)}; run once with "
                        "dataset=<its folder or file> on this machine to decode it")
    spec = facts["spec"]
    spec = DatasetSpec(**{**spec, "class_names": tuple(spec["class_names"]),
                          "image_shape": tuple(spec["image_shape"]) if spec["image_shape"] else None})
    return CustomData(spec, cached[0], cached[1], facts["notes"])


def _decode_into(folder: Path, source: Source, options: CustomOptions, content: str) -> None:
    if source.kind == "images":
        images = decode_images(source, options.image_size)
        decoded: Decoded = images.arrays
        names, notes = images.class_names, images.notes
        fmt = f"image folder ({len(source.images):,} files)"
    elif source.kind == "table":
        table = decode_table(source.path, options.text_column, options.label_column)
        decoded, names, notes = table.corpus, table.class_names, table.notes
        fmt = f"{source.path.suffix.lstrip('.').upper()} text table"
    else:
        arrays = decode_arrays(source.path)
        decoded, names, notes = arrays.decoded, arrays.class_names, arrays.notes
        fmt = ".npz arrays"
    _check_class_sizes(source, decoded, names)
    spec = _spec(source, decoded, names)
    family = "CNN" if spec.modality == "image" else "LSTM"
    why = "the examples are images" if spec.modality == "image" else "the examples are token sequences"
    notes = {**notes, "source": str(source.path), "content_sha256": content, "family": family,
             "family_reason": why, "class_counts": _class_counts(decoded, names)}
    save_decoded(folder, Found(fmt, (source.path,)), decoded)
    # Written last: a folder with its facts file is complete, which is what ingest() checks.
    _write_json(folder / FACTS, {"spec": asdict(spec), "notes": notes})


def _labels(decoded: Decoded) -> tuple[np.ndarray, np.ndarray | None]:
    if isinstance(decoded, ImageArrays):
        return np.asarray(decoded.y_train), None if decoded.y_test is None else np.asarray(decoded.y_test)
    return np.asarray(decoded.train.labels), None if decoded.test is None else np.asarray(decoded.test.labels)


def _class_counts(decoded: Decoded, names: tuple[str, ...]) -> dict[str, dict[str, int]]:
    y_train, y_test = _labels(decoded)
    counts = {"train": dict(zip(names, np.bincount(y_train, minlength=len(names)).tolist(), strict=True))}
    if y_test is not None:
        counts["test"] = dict(zip(names, np.bincount(y_test, minlength=len(names)).tolist(), strict=True))
    return counts


def _check_class_sizes(source: Source, decoded: Decoded, names: tuple[str, ...]) -> None:
    y_train, _ = _labels(decoded)
    counts = np.bincount(y_train, minlength=len(names))
    if len(names) < 2:
        raise DataError(f"{source.path} has a single class ({', '.join(names)}); a classifier needs at least two")
    small = [f"{names[i]} ({int(n)})" for i, n in enumerate(counts) if n < 2]
    if small:
        raise DataError(f"{source.path}: class(es) {', '.join(small[:5])} have fewer than 2 training examples, "
                        "too few to split; add examples or remove the class")


def _spec(source: Source, decoded: Decoded, names: tuple[str, ...]) -> DatasetSpec:
    y_train, y_test = _labels(decoded)
    sizes = {"train_size": int(y_train.size), "test_size": 0 if y_test is None else int(y_test.size)}
    if isinstance(decoded, ImageArrays):
        c, h, w = decoded.x_train.shape[1:]
        return DatasetSpec(label(str(source.path)), "image", names, **sizes, image_shape=(c, h, w),
                           description=f"your images: {len(names)} classes, {w}x{h} "
                                       f"{'grayscale' if c == 1 else 'RGB'}, from {source.path}", unit="image")
    assert isinstance(decoded, TextCorpus)
    lengths = np.diff(decoded.train.offsets)
    p90 = float(np.percentile(lengths, 90)) if lengths.size else SEQ_LEN_RANGE[0]
    seq_len = int(min(max(8 * math.ceil(p90 / 8), SEQ_LEN_RANGE[0]), SEQ_LEN_RANGE[1]))
    return DatasetSpec(label(str(source.path)), "text", names, **sizes, max_words=MAX_WORDS, seq_len=seq_len,
                       description=f"your texts: {len(names)} classes, {seq_len} tokens each, from {source.path}",
                       unit="document")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_json(path: Path, value: Any) -> None:
    """Atomically, so a concurrent reader sees the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(value, handle, indent=1)
    os.replace(tmp, path)
