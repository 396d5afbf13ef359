"""One orchestrator per run: a run whose study lives in its own SQLite file is locked while a process uses it.

A second process on the same run would otherwise run its own trials against the same budget and declare the
first one's live trial dead (every RUNNING trial in an own-storage study is a crash leftover to it). The lock is
an flock on <run dir>/.lock, so the kernel releases it when the holder exits, kill -9 included: a crash never
leaves a stale lock behind. Shared storage needs none: heartbeats and claims coordinate its participants.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from nettune.errors import ConfigError


@contextlib.contextmanager
def run_lock(run_dir: Path, run_name: str) -> Iterator[None]:
    path = run_dir / ".lock"
    handle = path.open("a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise ConfigError(f"run {run_name!r} is in use by {holder}; wait for it to finish (or stop it), "
                              "or choose another run_name") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"nettune process {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}")
        handle.flush()
        yield
    finally:
        handle.close()  # closing the descriptor releases the lock
