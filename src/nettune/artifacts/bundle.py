"""Trial artifact bundles: one zip per trial directory, with a manifest that pins every file's SHA-256.

pack_bundle writes `manifest.json` (path -> sha256, size) first, then the files. unpack_bundle trusts
nothing in the archive: it refuses unsafe entry names before writing anything, checks that the archive's
files and the manifest list exactly the same paths, hashes every file while extracting into a staging
directory, and only moves the result to `dest` when all of it verified.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from nettune.errors import NettuneError

MANIFEST = "manifest.json"
MANIFEST_FORMAT = "nettune.bundle/1"
_CHUNK = 1 << 20


class BundleError(NettuneError):
    """A bundle that is corrupt, tampered with, incomplete or unsafe to extract."""


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def build_manifest(directory: Path) -> dict[str, Any]:
    files: dict[str, dict[str, Any]] = {}
    for path in sorted(p for p in directory.rglob("*") if p.is_file() and not p.is_symlink()):
        rel = path.relative_to(directory).as_posix()
        if rel == MANIFEST:
            continue  # a manifest left by an earlier unpack is regenerated, never bundled as data
        files[rel] = {"sha256": file_digest(path), "size": path.stat().st_size}
    return {"format": MANIFEST_FORMAT, "files": files}


def pack_bundle(trial_dir: Path, dest: Path | None = None) -> Path:
    """Zip `trial_dir` (default destination: <trial_dir>.zip beside it) and return the zip's path.

    Symbolic links are left out: following them could pack files from outside the trial directory.
    """
    trial_dir = Path(trial_dir)
    if not trial_dir.is_dir():
        raise BundleError(f"cannot bundle {trial_dir}: not a directory")
    dest = Path(dest) if dest is not None else trial_dir.with_name(trial_dir.name + ".zip")
    manifest = build_manifest(trial_dir)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2, sort_keys=True))
        for rel in manifest["files"]:
            archive.write(trial_dir / rel, arcname=rel)
    tmp.replace(dest)
    return dest


def safe_member(name: str) -> str:
    """The entry name if it stays inside the destination, else BundleError naming it."""
    path = PurePosixPath(name.replace("\\", "/"))
    if (not name or name.startswith(("/", "\\")) or path.is_absolute() or ".." in path.parts
            or (len(name) > 1 and name[1] == ":")):  # "C:..." is absolute on Windows
        raise BundleError(f"refusing bundle entry {name!r}: it would be written outside the destination")
    return path.as_posix()


def unpack_bundle(bundle: Path, dest: Path) -> Path:
    """Extract and verify `bundle` into `dest` (which must not exist or be empty); returns `dest`."""
    bundle, dest = Path(bundle), Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BundleError(f"cannot unpack into {dest}: it exists and is not an empty directory")
    try:
        archive = zipfile.ZipFile(bundle)
    except (OSError, zipfile.BadZipFile) as exc:
        raise BundleError(f"{bundle} is not a readable zip archive: {exc}") from exc
    with archive:
        members = _members(archive)
        expected = _read_manifest(archive, bundle)
        missing = sorted(set(expected) - set(members))
        extra = sorted(set(members) - set(expected))
        if missing:
            raise BundleError(f"bundle {bundle.name}: {missing[0]} is listed in the manifest but missing")
        if extra:
            raise BundleError(f"bundle {bundle.name}: {extra[0]} is in the archive but not in the manifest")
        dest.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
        try:
            for name, info in members.items():
                _extract_verified(archive, info, staging / name, expected[name], bundle.name)
            if dest.exists():
                dest.rmdir()  # empty (checked above): replaced by the verified staging directory
            staging.replace(dest)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return dest


def _members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    members: dict[str, zipfile.ZipInfo] = {}
    for info in archive.infolist():
        name = safe_member(info.filename)  # every name is checked before anything is written
        if info.is_dir() or name == MANIFEST:
            continue
        if name in members:
            raise BundleError(f"bundle entry {name} appears twice")
        members[name] = info
    return members


def _read_manifest(archive: zipfile.ZipFile, bundle: Path) -> dict[str, dict[str, Any]]:
    try:
        manifest = json.loads(archive.read(MANIFEST))
        files = manifest["files"]
        if not isinstance(files, dict):
            raise TypeError("files is not an object")
    except KeyError as exc:
        raise BundleError(f"bundle {bundle.name} has no {MANIFEST} (or it lacks 'files')") from exc
    except (ValueError, TypeError) as exc:
        raise BundleError(f"bundle {bundle.name}: {MANIFEST} is not valid: {exc}") from exc
    return {safe_member(name): entry for name, entry in files.items()}


def _extract_verified(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, expected: dict[str, Any],
                      bundle_name: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    try:
        with archive.open(info) as source, target.open("wb") as sink:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                sink.write(chunk)
    except (zipfile.BadZipFile, OSError) as exc:  # includes zip's own CRC check failing
        raise BundleError(f"bundle {bundle_name}: {info.filename} is corrupt ({exc})") from exc
    if digest.hexdigest() != expected.get("sha256") or size != expected.get("size"):
        raise BundleError(f"bundle {bundle_name}: {info.filename} does not match its manifest hash (tampered "
                          "or corrupt)")
