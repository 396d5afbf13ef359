"""Progress events: the one vocabulary every executor speaks and every display or API consumes.

Events are plain dataclasses so they pickle across processes and serialize to JSON for remote workers
and WebSocket clients.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class TrialStarted:
    trial: int
    total_epochs: int
    params: dict[str, Any]
    worker: str = "local"
    time: float = field(default_factory=time.time)
    kind: str = "trial_start"


@dataclass
class EpochProgress:
    trial: int
    epoch: int  # 1-based, the epoch in progress
    total_epochs: int
    fraction: float  # of the current epoch done, 0..1
    loss: float  # running training loss of this epoch
    accuracy: float  # running training accuracy of this epoch
    val_accuracy: float | None = None  # set once the epoch's validation is done
    val_loss: float | None = None
    # With an epoch's end: its per-layer gradient and weight/bias statistics (health/epoch_layers.py), size-bounded.
    layers: dict[str, Any] | None = None
    time: float = field(default_factory=time.time)
    kind: str = "epoch_progress"


@dataclass
class TrialFinished:
    trial: int
    outcome: dict[str, Any]  # TrialOutcome.to_dict()
    time: float = field(default_factory=time.time)
    kind: str = "trial_complete"


@dataclass
class Notice:
    """A warning or information line for the user (e.g. a remote endpoint fell back to local)."""

    message: str
    level: str = "warning"
    time: float = field(default_factory=time.time)
    kind: str = "notice"


Event = TrialStarted | EpochProgress | TrialFinished | Notice


def event_to_dict(event: Event) -> dict[str, Any]:
    return asdict(event)
