"""TensorBoard for a job: one `tensorboard` child process per job, on loopback, serving that run's event files.

The dashboard reaches it through the API server (routes/tensorboard.py proxies under /jobs/{id}/tensorboard/),
so it is behind the same token as everything else and never listens off this machine. At most MAX_RUNNING run at
once (the least recently opened stops first); all stop with the server.
"""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from nettune.api.services.errors import Conflict, NotInstalled, Unavailable

MAX_RUNNING = 4
START_TIMEOUT_S = 60.0
INSTALL_HINT = "TensorBoard is not installed on the server; install it there with: pip install tensorboard"


def path_prefix(job_id: str) -> str:
    return f"/jobs/{job_id}/tensorboard"


@dataclass
class _Board:
    process: subprocess.Popen[bytes]
    port: int
    log: Path


class TensorBoards:
    def __init__(self, max_running: int = MAX_RUNNING) -> None:
        self.max_running = max_running
        self._boards: OrderedDict[str, _Board] = OrderedDict()
        self._lock = threading.Lock()

    def open(self, job_id: str, logdir: Path, scratch: Path) -> int:
        """The port of the job's TensorBoard, started if it is not running."""
        with self._lock:
            board = self._boards.get(job_id)
            if board is not None and board.process.poll() is None:
                self._boards.move_to_end(job_id)
                return board.port
            if importlib.util.find_spec("tensorboard") is None:
                raise NotInstalled(INSTALL_HINT)
            if not logdir.is_dir():
                raise Conflict(f"job {job_id} wrote no TensorBoard logs; start a job with tensorboard=true "
                               "(the form's TensorBoard option) to have them")
            board = self._start(job_id, logdir, scratch)
            self._boards[job_id] = board
            while len(self._boards) > self.max_running:
                _, oldest = self._boards.popitem(last=False)
                _stop(oldest)
            return board.port

    def port(self, job_id: str) -> int | None:
        with self._lock:
            board = self._boards.get(job_id)
            return board.port if board is not None and board.process.poll() is None else None

    def close(self) -> None:
        with self._lock:
            boards, self._boards = list(self._boards.values()), OrderedDict()
        for board in boards:
            _stop(board)

    def _start(self, job_id: str, logdir: Path, scratch: Path) -> _Board:
        port = _free_port()
        scratch.mkdir(parents=True, exist_ok=True)
        log = scratch / f"tensorboard-{job_id}.log"
        command = [sys.executable, "-m", "tensorboard.main", "--logdir", str(logdir), "--host", "127.0.0.1",
                   "--port", str(port), "--path_prefix", path_prefix(job_id), "--reload_interval", "5"]
        with log.open("wb") as out:
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                tail = log.read_text(errors="replace").strip().splitlines()[-1:] or ["no output"]
                raise Unavailable(f"TensorBoard exited at start ({tail[0]}); its log is {log}")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return _Board(process, port, log)
            time.sleep(0.2)
        _stop(_Board(process, port, log))
        raise Unavailable(f"TensorBoard did not start within {START_TIMEOUT_S:.0f} s; its log is {log}")


def _stop(board: _Board) -> None:
    if board.process.poll() is None:
        board.process.terminate()
        try:
            board.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            board.process.kill()
            board.process.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
