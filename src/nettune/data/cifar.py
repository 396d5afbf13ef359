"""CIFAR-10 and CIFAR-100: the "python version" pickles, from the tar.gz or the folder it unpacks to.

Each batch is a pickled dict with b'data' (N x 3072 uint8: 1024 red, 1024 green, 1024 blue values, rows
of 32) and b'labels' (CIFAR-10) or b'fine_labels' (CIFAR-100).
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np

from nettune.data import safe_pickle
from nettune.data.archives import iter_members
from nettune.data.cache import Found
from nettune.data.decoded import ImageArrays
from nettune.errors import DataError

LAYOUTS = {
    # name: (archive, folder inside it, train members, test member, label key)
    "cifar10": ("cifar-10-python.tar.gz", "cifar-10-batches-py",
                tuple(f"data_batch_{i}" for i in range(1, 6)), "test_batch", b"labels"),
    "cifar100": ("cifar-100-python.tar.gz", "cifar-100-python", ("train",), "test", b"fine_labels"),
}


def needed(name: str) -> str:
    archive, folder, *_ = LAYOUTS[name]
    return f"{archive} (or its extracted {folder}/ folder)"


def find(name: str, root: Path) -> Found | None:
    archive, folder, train, test, _ = LAYOUTS[name]
    members = [root / folder / m for m in (*train, test)]
    if all(p.is_file() for p in members):
        return Found(f"{folder}/ pickle batches", (root,), tuple(members))
    if (root / archive).is_file():
        return Found(f"{archive} pickle batches", (root / archive,))
    return None


def decode(name: str, found: Found) -> ImageArrays:
    _, folder, train, test, label_key = LAYOUTS[name]
    wanted = {f"{folder}/{m}" for m in (*train, test)}
    batches = {path: _unpickle(content, path) for path, content in iter_members(found.files[0], wanted.__contains__)}
    missing = sorted(wanted - set(batches))
    if missing:
        raise DataError(f"{found.files[0]} lacks {', '.join(missing)}; delete it so it is fetched again.")
    train_x, train_y = zip(*(_images_labels(batches[f"{folder}/{m}"], label_key, m) for m in train), strict=True)
    test_x, test_y = _images_labels(batches[f"{folder}/{test}"], label_key, test)
    return ImageArrays(np.concatenate(train_x), np.concatenate(train_y), test_x, test_y)


def _images_labels(batch: dict, label_key: bytes, member: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        data = np.asarray(batch[b"data"], dtype=np.uint8)
        labels = np.asarray(batch[label_key], dtype=np.int64)
    except KeyError as exc:
        raise DataError(f"CIFAR batch {member} has no {exc.args[0]!r} entry; the file is corrupt, delete it.") from exc
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or data.shape[0] != labels.shape[0]:
        raise DataError(f"CIFAR batch {member} has data {data.shape} and {labels.shape[0]} labels; "
                        "expected N x 3072 and N; the file is corrupt, delete it.")
    return data.reshape(-1, 3, 32, 32), labels


def _unpickle(content: bytes, path: str) -> dict:
    try:
        # encoding="bytes": the batches were pickled by Python 2, so their str keys arrive as bytes.
        batch = safe_pickle.loads(content, encoding="bytes")
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError) as exc:
        raise DataError(f"Cannot unpickle CIFAR batch {path} ({exc}); delete it so it is fetched again.") from exc
    if not isinstance(batch, dict):
        raise DataError(f"CIFAR batch {path} is not a dict; delete it so it is fetched again.")
    return batch
