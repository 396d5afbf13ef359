"""Where each of an executor's concurrent trials trains: a device, or a group of devices for DDP."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from nettune.errors import ConfigError
from nettune.executors.gpu_groups import gpu_groups
from nettune.training.device import pick_device
from nettune.training.distributed import data_parallel_devices


@dataclass(frozen=True)
class Placement:
    """Where one of an executor's concurrent trials trains."""

    device: str
    devices: tuple[str, ...] = ()  # DistributedDataParallel over these; () = `device` alone


def plan_slots(device: str, gpus: list[int] | None, per_trial: int) -> list[Placement]:
    """One slot per trial this worker runs at once: all of --gpus in groups of `per_trial`, else one slot."""
    if not gpus:
        return [Placement(device, data_parallel_devices(device, per_trial))]
    visible = torch.cuda.device_count()
    missing = [g for g in gpus if not 0 <= g < visible]
    if missing:
        raise ConfigError(f"--gpus {','.join(map(str, gpus))}: device(s) {missing} do not exist here "
                          f"(torch sees {visible} CUDA device(s)); list indices from 0 to {visible - 1}"
                          if visible else f"--gpus {','.join(map(str, gpus))}: this machine has no CUDA device; "
                          "leave --gpus out to train on the CPU")
    if len(gpus) % per_trial:
        raise ConfigError(f"--gpus lists {len(gpus)} device(s), which do not split into groups of "
                          f"--gpus-per-trial {per_trial}")
    groups = [gpus[i : i + per_trial] for i in range(0, len(gpus), per_trial)]
    return [Placement(f"cuda:{g[0]}", tuple(f"cuda:{i}" for i in g) if per_trial > 1 else ()) for g in groups]


def local_placements(device: str, workers: int, per_trial: int) -> list[Placement] | None:
    """One GPU (or DDP group) per concurrent local trial on a multi-GPU machine; None = each job's own device."""
    if pick_device(device).type != "cuda" or device not in ("auto", "cuda"):
        return None  # CPU, or a device the user pinned (cuda:1): trials go where asked
    visible = torch.cuda.device_count()
    if visible < 2:
        return None
    return [Placement(f"cuda:{g[0]}", tuple(f"cuda:{i}" for i in g) if per_trial > 1 else ())
            for g in gpu_groups(visible, workers, per_trial)]
