"""The original system's option names whose values need converting, not only renaming (plain renames are
config.ALIASES). Accepted by the CLI and the API alike; the name nettune uses wins when both are given."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Legacy:
    target: str
    kind: type  # what the value is read as: bool or float
    convert: Callable[[Any], Any]  # None: the option asks for nettune's default, so it changes nothing
    meaning: str


LEGACY: dict[str, Legacy] = {
    "concurrent": Legacy("concurrent_workers", bool, lambda on: None if on else 1,
                         "false runs one trial at a time (concurrent_workers=1)"),
    "use_multi_gpu": Legacy("gpus_per_worker", bool, lambda on: None if on else 1,
                            "false trains each trial on one device (gpus_per_worker=1)"),
    "auto_detect_gpus": Legacy("device", bool, lambda on: "auto" if on else None,
                               "true is device=auto, nettune's default (CUDA when present)"),
    "timeout_hours": Legacy("timeout", float, lambda hours: hours * 3600.0, "timeout in hours"),
    "max_training_time_minutes": Legacy("trial_timeout", float, lambda minutes: minutes * 60.0,
                                        "trial_timeout in minutes"),
}


def translate(options: dict[str, Any]) -> dict[str, Any]:
    """`options` with every legacy name replaced by the option it means."""
    out = {k: v for k, v in options.items() if k not in LEGACY}
    for name, legacy in LEGACY.items():
        if name in options:
            value = legacy.convert(options[name])
            if value is not None and legacy.target not in out:
                out[legacy.target] = value
    return out
