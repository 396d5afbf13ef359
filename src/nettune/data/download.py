"""HTTP downloads that never hang and never leave a half-written file behind.

Dataset hosts are often unreachable (offline machines, firewalls that drop packets): every request has a
short timeout, and a host that failed once is not tried again in this process, so a four-file dataset
costs one timeout, not four.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import BinaryIO

from nettune.errors import DataError

TIMEOUT_S = 10.0  # per socket operation (connect, each read), not for the whole transfer
_CHUNK = 1 << 20
_dead_hosts: set[str] = set()


class Unreachable(Exception):
    """The host could not be reached or did not serve the file; another source may work."""


def parse_digest(digest: str) -> tuple[str, str]:
    """'md5:abc...' -> ('md5', 'abc...')."""
    algorithm, _, hexdigest = digest.partition(":")
    return algorithm, hexdigest.lower()


def file_digest(path: Path, algorithm: str) -> str:
    h = hashlib.new(algorithm)
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def fetch(url: str, dest: Path, digest: str | None) -> Path:
    """Download `url` to `dest`, verifying `digest` ('md5:...' / 'sha256:...') when given.

    Raises Unreachable when the host cannot be reached (try another source), DataError on a checksum
    mismatch (the file is discarded: a wrong file must never be cached).
    """
    host = urllib.parse.urlsplit(url).netloc
    if host in _dead_hosts:
        raise Unreachable(f"{host} was unreachable earlier in this process")
    algorithm, expected = parse_digest(digest) if digest else ("sha256", "")
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        h = hashlib.new(algorithm)
        with os.fdopen(fd, "wb") as out:
            try:
                request = urllib.request.Request(url, headers={"User-Agent": "nettune-datasets"})
                with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                    while chunk := response.read(_CHUNK):
                        h.update(chunk)
                        _write(out, chunk, dest)
            except urllib.error.HTTPError as exc:
                # The host answered, so it is alive: a 404 for one file says nothing about the next.
                raise Unreachable(f"{url}: HTTP {exc.code}") from exc
            except OSError as exc:  # URLError, timeouts, resets: the host is unusable for now
                _dead_hosts.add(host)
                raise Unreachable(f"{url}: {getattr(exc, 'reason', exc)}") from exc
        if expected and h.hexdigest() != expected:
            raise DataError(f"Checksum mismatch for {dest.name} downloaded from {url} ({algorithm} "
                            f"{h.hexdigest()} != {expected}); the download was discarded, try again later.")
        tmp.chmod(0o644)  # mkstemp makes files private; a dataset cache is often shared between users
        tmp.replace(dest)
        return dest
    finally:
        tmp.unlink(missing_ok=True)


def _write(out: BinaryIO, chunk: bytes, dest: Path) -> None:
    # A full disk is the user's problem to fix, not a reason to mark the host dead and try elsewhere.
    try:
        out.write(chunk)
    except OSError as exc:
        raise DataError(f"Cannot write {dest}: {exc}; free some disk space or set NETTUNE_DATA_DIR.") from exc


def fetch_text(url: str) -> str:
    """A small text resource (e.g. a package index page)."""
    host = urllib.parse.urlsplit(url).netloc
    if host in _dead_hosts:
        raise Unreachable(f"{host} was unreachable earlier in this process")
    try:
        request = urllib.request.Request(url, headers={"User-Agent": "nettune-datasets"})
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            return response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        raise Unreachable(f"{url}: HTTP {exc.code}") from exc
    except OSError as exc:
        _dead_hosts.add(host)
        raise Unreachable(f"{url}: {getattr(exc, 'reason', exc)}") from exc


def forget_dead_hosts() -> None:
    """Let hosts be tried again (tests, or a long-running process after the network came back)."""
    _dead_hosts.clear()

