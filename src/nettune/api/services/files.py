"""Safe file access for the file endpoints: only regular files inside a job's run directory are served.

A name from a URL is checked twice: it must look like a plain file name (no separators, no '..', no leading
dot, no control characters), and the path it resolves to, after following every symlink, must still lie inside
the run directory. The first check gives the client a clear 400; the second is what actually keeps a symlink or
a tampered directory from escaping.
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from pathlib import Path

from nettune.api.services.errors import BadRequest, NotFound

_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,199}")


def check_name(name: str) -> None:
    if not _SAFE_NAME.fullmatch(name) or ".." in name:
        raise BadRequest(f"invalid file name {name!r}: use a name exactly as the listing gives it")


def inside(root: Path, path: Path) -> Path | None:
    """`path` resolved (symlinks followed) if it is a regular file inside `root`, else None."""
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError):  # missing, or a symlink loop
        return None
    if not resolved.is_relative_to(root.resolve()) or not resolved.is_file():
        return None
    return resolved


def safe_file(root: Path, directory: Path, name: str, what: str) -> Path:
    check_name(name)
    found = inside(root, directory / name)
    if found is None:
        raise NotFound(f"no {what} named {name!r}")
    return found


def list_files(root: Path, directory: Path, suffixes: tuple[str, ...]) -> list[str]:
    """Names of servable files in `directory` with one of `suffixes`, sorted."""
    try:
        entries = sorted(directory.iterdir())
    except OSError:
        return []
    return [p.name for p in entries if p.suffix in suffixes and _SAFE_NAME.fullmatch(p.name) and inside(root, p)]


def zip_directory(root: Path, directory: Path, folder: str, extra: list[Path]) -> Path:
    """A temporary zip of `directory` (under `folder/` in the archive) plus `extra` files; the caller deletes it.

    Symlinks are not followed out of `root`: anything resolving outside it is left out.
    """
    descriptor, name = tempfile.mkstemp(prefix="nettune-", suffix=".zip")
    os.close(descriptor)
    target = Path(name)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(directory.rglob("*")):
            source = inside(root, path)
            if source is not None:
                archive.write(source, f"{folder}/{path.relative_to(directory).as_posix()}")
        for path in extra:
            source = inside(root, path)
            if source is not None:
                archive.write(source, f"{folder}/{path.name}")
    return target
