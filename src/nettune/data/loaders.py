"""Getting one dataset's decoded arrays: raw files on disk -> decoded cache -> download, in that order."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from nettune.data import cifar, gtsrb, idx, imdb, packages, reuters, sources
from nettune.data.cache import Found, has_decoded, load_decoded, save_decoded
from nettune.data.decoded import Decoded
from nettune.errors import DataError

PROVENANCE = ".provenance"  # where the files came from, written when nettune downloaded them


@dataclass(frozen=True)
class Reader:
    find: Callable[[Path], Found | None]
    decode: Callable[[Found], Decoded]
    needed: str  # what a user must put in the dataset folder by hand, for error messages


READERS: dict[str, Reader] = {
    "mnist": Reader(idx.find, idx.decode, idx.NEEDED),
    "fashion_mnist": Reader(idx.find, idx.decode, idx.NEEDED),
    "cifar10": Reader(partial(cifar.find, "cifar10"), partial(cifar.decode, "cifar10"), cifar.needed("cifar10")),
    "cifar100": Reader(partial(cifar.find, "cifar100"), partial(cifar.decode, "cifar100"), cifar.needed("cifar100")),
    "gtsrb": Reader(gtsrb.find, gtsrb.decode, gtsrb.NEEDED),
    "imdb": Reader(imdb.find, imdb.decode, imdb.NEEDED),
    "reuters": Reader(reuters.find, reuters.decode, reuters.NEEDED),
}


def find_offline(name: str, dataset_dir: Path) -> str | None:
    """What is on disk for `name` without any download: the raw format found, or the decoded cache."""
    found = READERS[name].find(dataset_dir) if dataset_dir.is_dir() else None
    if found is not None:
        return found.format
    return "decoded cache only" if has_decoded(dataset_dir) else None


def obtain(name: str, dataset_dir: Path, allow_download: bool) -> tuple[Decoded, str]:
    """(decoded arrays, description of the on-disk format) for dataset `name`."""
    reader = READERS[name]
    found = reader.find(dataset_dir) if dataset_dir.is_dir() else None
    if found is None:
        cached = load_decoded(dataset_dir, None)  # raw files deleted after decoding is fine
        if cached is not None:
            return cached
        if not allow_download:
            raise DataError(sources.offline_message(name, dataset_dir, reader.needed))
        existed = dataset_dir.exists()
        try:
            note = sources.download(name, dataset_dir, reader.needed)
        except OSError as exc:  # e.g. a read-only data folder
            raise DataError(f"Cannot write '{name}' into {dataset_dir} ({exc.strerror or exc}); "
                            "set NETTUNE_DATA_DIR to a writable folder.") from exc
        except DataError:
            if not existed:  # leave no empty folder behind that would look like a half-download
                with contextlib.suppress(OSError):
                    dataset_dir.rmdir()
            raise
        with contextlib.suppress(OSError):
            (dataset_dir / PROVENANCE).write_text(note + "\n", encoding="utf-8")
        found = reader.find(dataset_dir)
        if found is None:
            raise DataError(f"Downloaded '{name}' but {dataset_dir} still lacks {reader.needed}; "
                            "delete the folder and try again.")
    cached = load_decoded(dataset_dir, found)
    if cached is not None:
        return cached
    if (dataset_dir / PROVENANCE).is_file():  # files nettune fetched itself: it knows what they must contain
        packages.check_known_files(name, found.files)
    decoded = reader.decode(found)
    try:
        save_decoded(dataset_dir, found, decoded)
    except OSError:
        return decoded, found.format  # a read-only data folder still works, it is just not cached
    return load_decoded(dataset_dir, found) or (decoded, found.format)


def provenance(dataset_dir: Path) -> str | None:
    try:
        return (dataset_dir / PROVENANCE).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None
