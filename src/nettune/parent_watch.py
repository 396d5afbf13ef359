"""Child processes die with their parent.

A worker whose parent was killed (kill -9, out of memory) can no longer report anything: it must not keep
training, holding cores and a GPU, as an orphan. Polling the parent pid works on every POSIX system.
"""

from __future__ import annotations

import os
import signal
import threading
import time


def exit_with_parent(parent_pid: int, poll_s: float = 1.0, whole_group: bool = False) -> None:
    """Start a daemon thread that ends this process (or its whole process group) once `parent_pid` is gone."""

    def watch() -> None:
        while True:
            time.sleep(poll_s)
            if os.getppid() != parent_pid:  # re-parented: the parent is gone
                if whole_group:
                    os.killpg(0, signal.SIGKILL)
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()
