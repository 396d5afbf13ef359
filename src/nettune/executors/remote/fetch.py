"""Bring a remote trial's bundle home: download (S3) or decode (inline), verify its SHA-256, unpack it.

unpack_bundle then checks every file against the bundle's own manifest, so a bundle that was corrupted or
swapped on the way never lands in the run directory.
"""

from __future__ import annotations

import base64
import binascii
import shutil
import tempfile
from pathlib import Path
from typing import Any

from nettune.artifacts.bundle import file_digest, unpack_bundle
from nettune.artifacts.s3 import S3Store, parse_s3_url
from nettune.errors import NettuneError


def fetch_bundle(bundle: dict[str, Any] | None, trial_dir: Path, s3_endpoint_url: str | None = None) -> None:
    """Unpack the output's bundle into `trial_dir`; NettuneError saying why when it cannot."""
    if not bundle:
        raise NettuneError("the worker sent no bundle")
    kind = bundle.get("kind")
    if kind == "none":
        raise NettuneError(str(bundle.get("reason", "the worker kept no bundle")))
    with tempfile.TemporaryDirectory(prefix="nettune-fetch-") as tmp:
        archive = Path(tmp) / "bundle.zip"
        if kind == "inline":
            try:
                archive.write_bytes(base64.b64decode(str(bundle.get("data", "")), validate=True))
            except (binascii.Error, ValueError) as exc:
                raise NettuneError(f"the inline bundle is not valid base64: {exc}") from exc
        elif kind == "s3":
            bucket, key = parse_s3_url(str(bundle.get("url", "")))
            S3Store(bucket, endpoint_url=s3_endpoint_url).get(key, archive)
        else:
            raise NettuneError(f"unknown bundle kind {kind!r}")
        digest, size = file_digest(archive), archive.stat().st_size
        if digest != bundle.get("sha256") or size != bundle.get("size"):
            raise NettuneError(f"the bundle does not match the checksum the worker reported (got {size} bytes, "
                               f"sha256 {digest[:12]}…)")
        unpack_bundle(archive, trial_dir)


def move_tensorboard(trial_dir: Path, tensorboard_dir: str | None) -> None:
    """A remote trial's TensorBoard files come inside its bundle; put them where local trials put theirs."""
    source = trial_dir / "tensorboard"
    if tensorboard_dir and source.is_dir():
        target = Path(tensorboard_dir)
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(source), str(target))
