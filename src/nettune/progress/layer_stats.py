"""The shape and size limits of per-epoch layer statistics (written by health/epoch_layers.py), and the check
applied to such an entry received from elsewhere (a remote worker's progress). Free of torch, like the rest of
nettune.progress, so the API and a remote study's orchestrator read entries without loading the trainer.

An entry is columnar (one list per statistic, in `layers` order) to keep keys out of every row:

    {"epoch": 3, "layers_total": 5, "layers": [...], "kinds": [...], "grad_mean": [...], "grad_max": [...],
     "weight": {"mean": [...], "std": [...], "min": [...], "max": [...], "hist": [[...], ...]}, "bias": {...}}

A null in a list means "not measured": the layer has no bias, or had no finite gradient sample that epoch.
"""

from __future__ import annotations

import json
import math
from typing import Any

LAYER_STATS_FILE = "layer_stats.json"  # in the trial directory, beside metrics.json
MAX_LAYERS = 24  # more bars than this are unreadable on a phone; the static gradient-flow plot shows all
HIST_BINS = 8  # a distribution's shape at a glance, in a few bytes
SIGNIFICANT = 4  # digits kept per float: plenty for a log-scale bar or a histogram's range
MAX_EPOCH_BYTES = 8 * 1024  # one epoch's entry as compact JSON, at MAX_LAYERS; checked on what a worker sends
PARAM_KINDS = ("weight", "bias")  # a parameter named bias* is a bias; every other (weight_ih_l0, ...) a weight
STATS = ("mean", "std", "min", "max")


def rounded(value: float) -> float | None:
    """A float to SIGNIFICANT digits; None for NaN or infinity (JSON has neither)."""
    return float(f"{value:.{SIGNIFICANT}g}") if math.isfinite(value) else None


def shown_layers(total: int) -> list[int]:
    """Indices of the layers an entry keeps: all up to MAX_LAYERS, else evenly spaced including both ends."""
    if total <= MAX_LAYERS:
        return list(range(total))
    return sorted({round(i * (total - 1) / (MAX_LAYERS - 1)) for i in range(MAX_LAYERS)})


def checked_entry(raw: Any) -> dict[str, Any]:
    """An epoch entry received from elsewhere (a remote worker's progress), checked against the shape `measure`
    writes and MAX_EPOCH_BYTES; raises ValueError with a one-line reason."""
    if not isinstance(raw, dict) or set(raw) != _ENTRY_KEYS:
        raise ValueError(f"layer stats must be an object with keys {', '.join(sorted(_ENTRY_KEYS))}")
    size = len(json.dumps(raw, separators=(",", ":")))
    if size > MAX_EPOCH_BYTES:
        raise ValueError(f"layer stats are {size} bytes, over the {MAX_EPOCH_BYTES}-byte limit")
    if not _is_int(raw["epoch"]) or raw["epoch"] < 1 or not _is_int(raw["layers_total"]):
        raise ValueError("layer stats epoch and layers_total must be positive integers")
    count = len(raw["layers"]) if isinstance(raw["layers"], list) else -1
    if not 0 <= count <= MAX_LAYERS or not all(isinstance(v, str) for v in raw["layers"] + _list(raw["kinds"])):
        raise ValueError(f"layer stats must name at most {MAX_LAYERS} layers")
    columns = [raw["kinds"], raw["grad_mean"], raw["grad_max"]]
    for kind in PARAM_KINDS:
        stats = raw[kind]
        if not isinstance(stats, dict) or set(stats) != {*STATS, "hist"}:
            raise ValueError(f"layer stats {kind} must hold {', '.join(STATS)} and hist")
        columns += [stats[s] for s in STATS]
        for hist in _list(stats["hist"]):
            if hist is not None and not (isinstance(hist, list) and len(hist) == HIST_BINS
                                         and all(_is_int(c) and c >= 0 for c in hist)):
                raise ValueError(f"layer stats histograms must be {HIST_BINS} non-negative counts")
        columns.append(stats["hist"])
    if any(not isinstance(c, list) or len(c) != count for c in columns):
        raise ValueError("layer stats columns must have one value per layer")
    numbers = [v for c in columns[1:] for v in c if not isinstance(v, list)]
    if not all(v is None or (isinstance(v, int | float) and not isinstance(v, bool)) for v in numbers):
        raise ValueError("layer stats values must be numbers or null")
    return raw


_ENTRY_KEYS = {"epoch", "layers_total", "layers", "kinds", "grad_mean", "grad_max", *PARAM_KINDS}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
