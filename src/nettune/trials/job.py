"""TrialJob and TrialOutcome: what is sent to wherever a trial runs, and what comes back.

One job object, sent whole, carries everything a trial needs, so a trial run locally and one run on a
remote worker cannot differ by a forgotten parameter.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from nettune.errors import ConfigError
from nettune.space.model_config import ModelConfig
from nettune.training.distributed import data_parallel_devices
from nettune.trials.state import FINISHED, TrialStatus

_NUMERIC_METRICS = ("val_accuracy", "test_accuracy", "train_accuracy", "val_loss", "test_loss", "predicted_s")


@dataclass(frozen=True)
class TrialJob:
    number: int
    model_config: ModelConfig
    dataset: str
    data_fraction: float
    data_seed: int  # same for every trial of a study, so all trials see the same split
    seed: int  # this trial's training seed
    mode: str
    health_weight: float
    trial_dir: str
    patience: int = 2
    time_budget_s: float | None = None  # training stops at this, keeping its best epoch
    # Not started at all when its predicted cost on this device is over this (None: always train; the baseline).
    skip_over_s: float | None = None
    device: str = "auto"
    compile_model: bool = False  # torch.compile the model before training (config.compile_model)
    data_dir: str | None = None
    plot_generation: str = "best"  # "none": record nothing for plots; otherwise save plot data ("all": render too)
    tensorboard_dir: str | None = None
    # Where to report intermediate values for pruning; None when the executor cannot reach the study.
    storage_url: str | None = None
    study_name: str | None = None
    trial_id: int | None = None
    pruner: str = "none"
    # Benchmark only: wait this long instead of training (see trials/fixed_length.py).
    fixed_duration_s: float | None = None
    # Devices one trial trains on (gpus_per_worker), resolved on the machine that runs it: `parallel` of `device`'s
    # kind there. `devices` pins them instead (an executor's placement); () = resolve from `device` and `parallel`.
    parallel: int = 1
    devices: tuple[str, ...] = ()

    def resolved_devices(self) -> tuple[str, ...]:
        """The DistributedDataParallel group on this machine; () = `device` alone. Called where the trial runs."""
        return self.devices or data_parallel_devices(self.device, self.parallel)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["model_config"] = self.model_config.to_dict()
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrialJob:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"unknown trial job field(s): {', '.join(unknown)}")
        return cls(**{**data, "model_config": ModelConfig.from_dict(data["model_config"]),
                      "devices": tuple(data.get("devices", ()))})


@dataclass
class TrialOutcome:
    number: int
    state: TrialStatus  # one of FINISHED
    value: float | None = None  # the objective: accuracy (simple) or total score (health)
    metrics: dict[str, Any] = field(default_factory=dict)
    health: dict[str, Any] | None = None  # HealthReport.to_dict()
    history: list[dict[str, float]] = field(default_factory=list)
    param_count: int = 0
    error: str | None = None
    trial_dir: str | None = None
    worker: str = "local"
    started_at: float = 0.0
    finished_at: float = 0.0

    def __post_init__(self) -> None:
        self.state = TrialStatus(self.state)  # a plain string from a caller or the wire: checked, one type

    @property
    def duration_s(self) -> float:
        return max(0.0, self.finished_at - self.started_at)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "state": str(self.state), "duration_s": round(self.duration_s, 3)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrialOutcome:
        data = {k: v for k, v in data.items() if k != "duration_s"}
        return cls(**data)


def checked_outcome(data: Any, number: int) -> TrialOutcome:
    """An outcome that came from another machine, checked like any input: ConfigError (one line) if malformed."""
    if not isinstance(data, dict):
        raise ConfigError(f"the outcome is {type(data).__name__}, not an object")
    state = data.get("state")
    if state not in FINISHED:
        raise ConfigError(f"outcome state {state!r} is not one of {', '.join(FINISHED)}")
    value = data.get("value")
    if state == TrialStatus.COMPLETE and not _finite(value):
        raise ConfigError(f"a complete outcome needs a finite number as its value, got {value!r}")
    if value is not None and not _finite(value):
        raise ConfigError(f"outcome value {value!r} is not a finite number")
    metrics = data.get("metrics", {})
    if not isinstance(metrics, dict):
        raise ConfigError("outcome metrics must be an object")
    for key in _NUMERIC_METRICS:
        if key in metrics and metrics[key] is not None and not _finite(metrics[key]):
            raise ConfigError(f"outcome metric {key}={metrics[key]!r} is not a finite number")
    for key, kind in (("health", dict), ("history", list), ("error", str), ("worker", str)):
        if data.get(key) is not None and not isinstance(data[key], kind):
            raise ConfigError(f"outcome {key} must be a {kind.__name__}")
    for key in ("param_count", "started_at", "finished_at"):
        if key in data and not _finite(data[key]):
            raise ConfigError(f"outcome {key}={data[key]!r} is not a number")
    known = {f.name for f in fields(TrialOutcome)}
    try:
        return TrialOutcome.from_dict({k: v for k, v in data.items() if k in known} | {"number": number})
    except TypeError as exc:
        raise ConfigError(f"the outcome does not fit: {exc}") from None


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
