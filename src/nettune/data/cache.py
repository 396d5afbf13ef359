"""Where datasets live on disk, and the cache of decoded arrays that makes every load after the first fast.

Layout: <data_dir>/<dataset>/ holds the raw files in their canonical format; <data_dir>/<dataset>/.decoded/
holds the decoded arrays as .npy files plus meta.json. The .npy files are memory-mapped on load, so the
per-process memo below costs address space, not RAM.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import platformdirs

from nettune.data.decoded import Decoded, ImageArrays, TextCorpus

log = logging.getLogger("nettune.data")
CACHE_VERSION = 2  # bump when a reader's output changes, so stale caches are rebuilt (2: content hashes)
DECODED_DIR = ".decoded"
_MEMO_SIZE = 4


def default_data_dir() -> Path:
    """$NETTUNE_DATA_DIR, else the per-user cache directory (e.g. ~/.cache/nettune/datasets)."""
    env = os.environ.get("NETTUNE_DATA_DIR")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_cache_dir("nettune")) / "datasets"


@dataclass(frozen=True)
class Found:
    """Raw files of one dataset found on disk, in one of the formats its reader understands."""

    format: str  # what was found, e.g. "IDX files (gzipped)"; recorded in PreparedData.notes
    files: tuple[Path, ...]  # what the reader consumes (files, folders or archives)
    watch: tuple[Path, ...] = ()  # stat'ed to notice changes; defaults to `files`

    def signature(self, root: Path) -> list[list[object]]:
        entries = []
        for path in self.watch or self.files:
            st = path.stat()
            name = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
            # Folders contribute only their own mtime (changes when entries are added or removed):
            # stat'ing tens of thousands of images on every load would cost more than it protects.
            entries.append([name, st.st_size if path.is_file() else 0, st.st_mtime_ns])
        return sorted(entries)


_memo: OrderedDict[tuple[str, int], tuple[Decoded, str]] = OrderedDict()
_memo_lock = threading.Lock()  # trials may load data from several threads of one worker


def load_decoded(dataset_dir: Path, found: Found | None) -> tuple[Decoded, str] | None:
    """The cached decode of `found` (or of whatever was cached, when the raw files are gone), or None."""
    cache_dir = dataset_dir / DECODED_DIR
    meta_path = cache_dir / "meta.json"
    try:
        stamp = meta_path.stat().st_mtime_ns
        meta = json.loads(meta_path.read_text())
    except (OSError, ValueError):
        return None
    if meta.get("version") != CACHE_VERSION:
        return None
    if found is not None and meta.get("signature") != found.signature(dataset_dir):
        return None
    key = (str(cache_dir), stamp)
    with _memo_lock:
        if key in _memo:
            _memo.move_to_end(key)
            return _memo[key]
    try:
        damaged = [name for name in meta["arrays"]
                   if _file_sha256(cache_dir / f"{name}.npy") != meta.get("sha256", {}).get(name)]
        if damaged:  # a flipped byte or a zeroed file would otherwise train to chance without a word
            log.warning("the decoded cache in %s does not match the hashes recorded when it was written (%s); "
                        "decoding the raw files again", cache_dir, ", ".join(damaged))
            return None
        arrays = {name: np.load(cache_dir / f"{name}.npy", mmap_mode="r") for name in meta["arrays"]}
        words_path = cache_dir / "words.txt"
        words = words_path.read_text(encoding="utf-8") if words_path.exists() else None
    except (OSError, ValueError, KeyError):
        return None  # a half-deleted cache is rebuilt rather than reported
    decoded: Decoded = (ImageArrays.from_arrays(arrays) if meta["kind"] == "image"
                        else TextCorpus.from_arrays(arrays, words))
    with _memo_lock:
        _memo[key] = (decoded, meta["format"])
        while len(_memo) > _MEMO_SIZE:
            _memo.popitem(last=False)
    return decoded, meta["format"]


def save_decoded(dataset_dir: Path, found: Found, decoded: Decoded) -> None:
    """Write the cache atomically: build it in a temporary folder, then rename it into place, so a
    concurrent loader sees either the old complete cache or the new one, never a partial one."""
    dataset_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".decoded-", dir=dataset_dir))
    tmp.chmod(0o755)  # mkdtemp makes it private; a dataset cache is often shared between users
    try:
        arrays = decoded.to_arrays()
        for name, array in arrays.items():
            np.save(tmp / f"{name}.npy", np.ascontiguousarray(array))
        if isinstance(decoded, TextCorpus) and decoded.words is not None:
            (tmp / "words.txt").write_text(decoded.words_text() or "", encoding="utf-8")
        meta = {"version": CACHE_VERSION, "format": found.format,
                "kind": "image" if isinstance(decoded, ImageArrays) else "text",
                "arrays": sorted(arrays), "signature": found.signature(dataset_dir),
                "sha256": {name: _file_sha256(tmp / f"{name}.npy") for name in arrays}}
        (tmp / "meta.json").write_text(json.dumps(meta, indent=1))
        final = dataset_dir / DECODED_DIR
        shutil.rmtree(final, ignore_errors=True)
        # If another process won the race, its equivalent cache stays and ours is discarded.
        with contextlib.suppress(OSError):
            tmp.rename(final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def has_decoded(dataset_dir: Path) -> bool:
    return (dataset_dir / DECODED_DIR / "meta.json").is_file()
