"""Shared set-up for benchmarks: genuine data from ../shared/datasets, results written as JSON."""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "datasets"
CACHE = REPO / "bench" / ".cache"
RESULTS = REPO / "bench" / "results"


def data_dir(*datasets: str) -> Path:
    """A data dir whose raw files are symlinks to the shared copies (decoded caches are written beside them)."""
    for name in datasets:
        source = SHARED / name
        if not source.exists():
            raise SystemExit(f"benchmark needs {source}; see ../shared/datasets/README.md")
        target = CACHE / "data" / name
        target.mkdir(parents=True, exist_ok=True)
        for file in source.iterdir():
            link = target / file.name
            if not link.exists():
                link.symlink_to(file)
    return CACHE / "data"


def machine() -> dict[str, Any]:
    import torch

    return {"cpus": os.cpu_count(), "torch_threads": torch.get_num_threads(), "torch": torch.__version__,
            "python": platform.python_version(), "processor": platform.processor() or platform.machine(),
            "cuda": torch.cuda.is_available(), "date": time.strftime("%Y-%m-%d %H:%M")}


def median(values: list[float]) -> float:
    return statistics.median(values)


def write_result(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **payload}, indent=2))
    print(f"wrote {path}")
    return path
