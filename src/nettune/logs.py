"""Every entry point logs the same lines to logs/nettune.log and to the run directory."""

from __future__ import annotations

import logging
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def attach_run_logging(run_dir: Path, global_dir: Path = Path("logs")) -> list[logging.Handler]:
    """Add file handlers for this run; returns them so the caller can remove them when the run ends."""
    logger = logging.getLogger("nettune")
    logger.setLevel(logging.INFO)
    handlers: list[logging.Handler] = []
    for directory in (global_dir, run_dir):
        directory.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(directory / "nettune.log", encoding="utf-8")
        handler.setFormatter(logging.Formatter(FORMAT))
        logger.addHandler(handler)
        handlers.append(handler)
    return handlers


def detach(handlers: list[logging.Handler]) -> None:
    logger = logging.getLogger("nettune")
    for handler in handlers:
        logger.removeHandler(handler)
        handler.close()
