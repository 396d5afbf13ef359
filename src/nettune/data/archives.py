"""Reading files out of folders, zip and tar archives alike, without extracting them to disk.

Datasets ship as archives (CIFAR tar.gz, GTSRB zips, aclImdb tar.gz) or as the folders those unpack to;
readers name the members they want by path and do not care which of the two they got. Tar archives are
read in one sequential pass because seeking inside a gzip stream means decompressing it again.
"""

from __future__ import annotations

import io
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from nettune.errors import DataError

Match = Callable[[str], bool]


def iter_members(source: Path, match: Match) -> Iterator[tuple[str, bytes]]:
    """(posix path inside `source`, content) for every regular file whose path satisfies `match`.

    Folders and zips yield in sorted path order; tar archives in archive order.
    """
    try:
        if source.is_dir():
            yield from _iter_dir(source, match)
        elif zipfile.is_zipfile(source):
            yield from _iter_zip(source, match)
        else:
            yield from _iter_tar(source, match)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as exc:
        raise DataError(f"Cannot read {source}: {exc}; delete it so it is fetched again.") from exc


def _iter_dir(root: Path, match: Match) -> Iterator[tuple[str, bytes]]:
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if match(rel) and path.is_file():
            yield rel, path.read_bytes()


def _iter_zip(path: Path, match: Match) -> Iterator[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as archive:
        for name in sorted(archive.namelist()):
            if not name.endswith("/") and match(name):
                yield name, archive.read(name)


def _iter_tar(path: Path, match: Match) -> Iterator[tuple[str, bytes]]:
    with tarfile.open(path, mode="r:*") as archive:
        for member in archive:
            name = member.name.removeprefix("./")
            if member.isfile() and match(name):
                handle = archive.extractfile(member)
                if handle is not None:
                    yield name, handle.read()


def ar_member(deb: BinaryIO, prefix: str) -> bytes:
    """The content of the first member of a Unix `ar` archive (a Debian .deb) whose name starts with
    `prefix`. The format is simple enough that this avoids depending on the `ar` or `dpkg` tools."""
    if deb.read(8) != b"!<arch>\n":
        raise DataError("Not a Debian package (bad ar magic); delete the download so it is fetched again.")
    while True:
        header = deb.read(60)
        if len(header) < 60:
            break
        name = header[:16].decode("ascii", "replace").strip().rstrip("/")
        size = int(header[48:58].decode("ascii").strip())
        if name.startswith(prefix):
            return deb.read(size)
        deb.seek(size + (size % 2), io.SEEK_CUR)  # members are padded to an even offset
    raise DataError(f"Debian package has no {prefix}* member; delete the download so it is fetched again.")
