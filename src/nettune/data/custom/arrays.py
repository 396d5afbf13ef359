"""A .npz of arrays in the Keras convention: x and y (or x_train, y_train and optionally x_test, y_test).

Images: x of shape (N, H, W), (N, H, W, C) or (N, C, H, W) with C in 1 or 3, uint8 or floats in 0..1 (or 0..255).
Text: x of integer token ids, shape (N, L) with 0 as padding, or an object array of id lists.
Optional `class_names`: one name per class.
"""

from __future__ import annotations

import pickle
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nettune.data import safe_pickle
from nettune.data.decoded import Decoded, ImageArrays, TextCorpus
from nettune.data.keras_arrays import to_docs
from nettune.errors import DataError


@dataclass
class DecodedArrays:
    decoded: Decoded
    class_names: tuple[str, ...]
    notes: dict[str, Any]


def decode_arrays(path: Path) -> DecodedArrays:
    try:
        arrays = safe_pickle.load_npz(path)
    except (zipfile.BadZipFile, pickle.UnpicklingError, ValueError, TypeError, OSError, EOFError) as exc:
        raise DataError(f"cannot read {path} as a .npz of arrays ({exc}); save it with numpy.savez") from None
    train_keys = ("x_train", "y_train") if "x_train" in arrays else ("x", "y")
    missing = [k for k in train_keys if k not in arrays]
    if missing:
        raise DataError(f"{path} has no {' or '.join(missing)} array (it has {', '.join(sorted(arrays))}); "
                        "save the examples as x and their labels as y")
    x, y = arrays[train_keys[0]], _labels(path, arrays[train_keys[1]], train_keys[1])
    x_test = arrays.get("x_test")
    y_test = _labels(path, arrays["y_test"], "y_test") if x_test is not None and "y_test" in arrays else None
    if len(x) != len(y):
        raise DataError(f"{path}: {len(x)} examples in {train_keys[0]} but {len(y)} labels; give one label each")
    present = np.unique(np.concatenate([y, y_test]) if y_test is not None else y)
    remap = {int(v): i for i, v in enumerate(present)}
    y, y_test = _remapped(y, remap), None if y_test is None else _remapped(y_test, remap)
    names = tuple(str(n) for n in arrays["class_names"]) if "class_names" in arrays else \
        tuple(str(v) for v in present)
    if len(names) != len(present):
        raise DataError(f"{path}: class_names has {len(names)} names for {len(present)} distinct labels")
    if _is_text(x):
        train = to_docs(_strip_padding(x), y, f"{path} {train_keys[0]}")
        test = None if x_test is None or y_test is None else to_docs(_strip_padding(x_test), y_test, f"{path} x_test")
        raw = max(int(train.tokens.max(initial=0)), int(test.tokens.max(initial=0)) if test else 0) + 1
        return DecodedArrays(TextCorpus(train, test, raw, None), names, {"layout": "token ids"})
    images = ImageArrays(_images(path, x), y, None if x_test is None else _images(path, x_test), y_test)
    return DecodedArrays(images, names, {"layout": f"images {x.shape[1:]}"})


def _labels(path: Path, y: np.ndarray, name: str) -> np.ndarray:
    y = np.asarray(y).ravel()
    if y.dtype.kind not in "iu":
        raise DataError(f"{path}: {name} holds {y.dtype} values; labels must be integers (class indices)")
    return y.astype(np.int64)


def _remapped(y: np.ndarray, remap: dict[int, int]) -> np.ndarray:
    return np.fromiter((remap[int(v)] for v in y), dtype=np.int64, count=y.size)


def _is_text(x: np.ndarray) -> bool:
    return x.dtype == object or (x.ndim == 2 and x.dtype.kind in "iu" and x.dtype != np.uint8)


def _strip_padding(x: np.ndarray) -> np.ndarray | list[np.ndarray]:
    if x.dtype == object:
        return x
    return [row[row != 0] for row in np.asarray(x)]


def _images(path: Path, x: np.ndarray) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim == 3:
        x = x[:, None]
    elif x.ndim == 4 and x.shape[-1] in (1, 3) and x.shape[1] not in (1, 3):
        x = x.transpose(0, 3, 1, 2)
    if x.ndim != 4 or x.shape[1] not in (1, 3):
        raise DataError(f"{path}: images of shape {x.shape[1:]} are not (H, W), (H, W, C) or (C, H, W) with C = 1 "
                        "or 3")
    if x.dtype == np.uint8:
        return np.ascontiguousarray(x)
    if x.dtype.kind not in "fiu":
        raise DataError(f"{path}: image values are {x.dtype}; give uint8 pixels or floats in 0..1")
    values = x.astype(np.float64)
    scale = 255.0 if values.max(initial=0.0) <= 1.0 else 1.0
    return np.clip(np.rint(values * scale), 0, 255).astype(np.uint8)
