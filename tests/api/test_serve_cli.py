"""`nettune serve` refuses what it cannot do in one line, before it says it is serving: a port in use, an
output directory it cannot write."""

from __future__ import annotations

import socket
import subprocess
import sys


def _serve(*args: str, cwd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nettune.cli.main", "serve", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def test_a_port_in_use_is_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = _serve("--port", str(port), "--output-dir", str(tmp_path / "runs"), cwd=str(tmp_path))
    assert done.returncode == 2
    assert done.stderr.strip() == f"nettune: error: port {port} on 127.0.0.1 is in use by another program; " \
                                  "choose another with --port"
    assert "serving" not in done.stdout


def test_an_unwritable_output_dir_is_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    done = _serve("--output-dir", str(blocker / "runs"), cwd=str(tmp_path))
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert "cannot write runs into --output-dir" in done.stderr and "Traceback" not in done.stderr
