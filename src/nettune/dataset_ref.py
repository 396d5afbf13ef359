"""How the `dataset` option names the user's own data rather than a built-in dataset.

It imports nothing from nettune, so the options (config) and the loaders (data) share one definition.
A path names files to read (`dataset=photos/`, `dataset=reviews.csv`); `custom:<key>` names data already decoded
into the cache under its content key, which is what trial processes and remote workers receive.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

CUSTOM_PREFIX = "custom:"
TABLE_SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson")
ARRAY_SUFFIXES = (".npz",)
_KEY = re.compile(r"[0-9a-f]{16}")


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
