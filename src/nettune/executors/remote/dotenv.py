"""Where a remote run's endpoint and keys may come from besides its options: the environment, or a `.env` file in
the directory the command runs in (KEY=VALUE lines, `#` comments, optional quotes; the environment wins).

    RUNPOD_ENDPOINT=abc123def        # or a URL: http://gpu-box:8001
    RUNPOD_API_KEY=rpa_...
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

ENDPOINT_ENV = "RUNPOD_ENDPOINT"
DOTENV = ".env"


def read_dotenv(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return values
    for line in lines:
        text = line.strip()
        if not text or text.startswith("#") or "=" not in text:
            continue
        key, _, value = text.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key.strip()] = value
    return values


def remote_environment(directory: Path | None = None, environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The variables a remote run reads: `.env` in `directory` (default: the working directory), then the
    environment over it."""
    return {**read_dotenv((directory or Path.cwd()) / DOTENV), **environ}
