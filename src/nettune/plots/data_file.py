"""plot_data.npz: everything the trial plots need beyond metrics.json/health.json, in one compressed file.

Arrays are stored under flat keys; the descriptive part (layer names, class names, decoded tokens) is one
JSON string under `meta`, so the file loads with `allow_pickle=False` and cannot run code when read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

PLOT_DATA_FILE = "plot_data.npz"
FORMAT_VERSION = 1
_META_KEY = "meta"


@dataclass
class PlotData:
    meta: dict[str, Any] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)

    def array(self, key: str) -> np.ndarray | None:
        return self.arrays.get(key)


def write_plot_data(directory: Path, data: PlotData) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / PLOT_DATA_FILE
    meta = json.dumps({"format": FORMAT_VERSION, **data.meta}, separators=(",", ":"))
    # Write beside the target and rename: a reader never sees a half-written file.
    tmp = directory / (PLOT_DATA_FILE + ".tmp")
    with tmp.open("wb") as handle:
        np.savez_compressed(handle, **{_META_KEY: np.array(meta)}, **data.arrays)
    tmp.replace(path)
    return path


def read_plot_data(directory: Path) -> PlotData | None:
    """The trial's plot data, or None when the file is absent or unreadable (plots then skip)."""
    path = directory / PLOT_DATA_FILE
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
        meta = json.loads(str(arrays.pop(_META_KEY)))
    except (OSError, ValueError, KeyError):
        return None
    return PlotData(meta=meta, arrays=arrays)
