"""Where bundles are kept: a two-method protocol, so an S3 (or any object-store) backend can slot in later.

Keys are relative POSIX paths ("run-1/trials/0007.zip"); a backend maps them onto its own namespace and
must refuse keys that would escape it.
"""

from __future__ import annotations

import shutil
from pathlib import Path, PurePosixPath
from typing import Protocol, runtime_checkable

from nettune.errors import NettuneError


@runtime_checkable
class ArtifactStore(Protocol):
    def put(self, key: str, path: Path) -> None:
        """Store the file at `path` under `key`, replacing any previous object."""
        ...

    def get(self, key: str, dest: Path) -> Path:
        """Copy the object `key` to the file `dest`; returns `dest`. NettuneError when there is none."""
        ...


def check_key(key: str) -> PurePosixPath:
    path = PurePosixPath(key)
    if not key or path.is_absolute() or ".." in path.parts or "\\" in key or key.endswith("/"):
        raise NettuneError(f"invalid artifact key {key!r}: use a relative path like 'run/trials/0001.zip'")
    return path


class FileSystemStore:
    """Objects as files under a root directory (a local disk or a mounted shared volume)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key).parts)

    def put(self, key: str, path: Path) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Copy to a temporary name, then rename: readers on a shared volume never see half a file.
        tmp = target.with_name(target.name + ".partial")
        shutil.copyfile(path, tmp)
        tmp.replace(target)

    def get(self, key: str, dest: Path) -> Path:
        source = self._path(key)
        if not source.is_file():
            raise NettuneError(f"no artifact {key!r} in {self.root}")
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)
        return dest

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()
