"""How the `dataset` option names a built-in dataset, or the user's own data instead.

It imports nothing from nettune, so the options (config) and the loaders (data) share one definition: the
built-in names and the spellings accepted for them are here, their facts in nettune.data.catalog.
A path names files to read (`dataset=photos/`, `dataset=reviews.csv`); `custom:<key>` names data already decoded
into the cache under its content key, which is what trial processes and remote workers receive.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

BUILTIN_DATASETS = ("mnist", "fashion_mnist", "cifar10", "cifar100", "gtsrb", "imdb", "reuters")
# Spellings people commonly type; builtin_name already handles case, '-' and ' ' vs '_'.
DATASET_ALIASES = {
    "fmnist": "fashion_mnist",
    "fashionmnist": "fashion_mnist",
    "cifar_10": "cifar10",
    "cifar_100": "cifar100",
    "reuters46": "reuters",
    "reuters_46": "reuters",
}
CUSTOM_PREFIX = "custom:"
TABLE_SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson")
ARRAY_SUFFIXES = (".npz",)
_KEY = re.compile(r"[0-9a-f]{16}")


def normalized(name: str) -> str:
    """`name` as the catalog spells its keys: lower case, '_' for '-' and ' '."""
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def builtin_name(name: str) -> str | None:
    """The built-in dataset `name` means (`FMNIST` -> `fashion_mnist`), else None."""
    key = normalized(name)
    key = DATASET_ALIASES.get(key, key)
    return key if key in BUILTIN_DATASETS else None


def is_path(name: str) -> bool:
    """A value that can only mean files: it has a folder separator, starts like a path, or ends like a data file."""
    text = name.strip()
    return ("/" in text or os.sep in text or text.startswith((".", "~"))
            or text.lower().endswith(TABLE_SUFFIXES + ARRAY_SUFFIXES))


def custom_key(name: str) -> str | None:
    """The cache key of a `custom:<key>` reference, else None."""
    if not name.startswith(CUSTOM_PREFIX):
        return None
    key = name[len(CUSTOM_PREFIX):]
    return key if _KEY.fullmatch(key) else None


def is_custom(name: str) -> bool:
    return is_path(name) or custom_key(name) is not None


def label(name: str) -> str:
    """A short name fit for run names: the folder's or file's name for a path, `custom-<key>` for a reference."""
    key = custom_key(name)
    if key is not None:
        return f"custom-{key[:8]}"
    if is_path(name):
        stem = Path(name.strip().rstrip("/\\")).expanduser().stem or "data"
        return re.sub(r"[^A-Za-z0-9_.-]", "_", stem).lstrip("._-")[:40] or "data"
    return name
