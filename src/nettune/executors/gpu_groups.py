"""Sharing a machine's GPUs between concurrent trials or worker processes: plain index arithmetic, no torch, so a
worker process can set CUDA_VISIBLE_DEVICES before torch starts CUDA."""

from __future__ import annotations

from nettune.errors import ConfigError


def gpu_groups(visible: int, workers: int, per_trial: int = 1) -> list[tuple[int, ...]]:
    """The CUDA devices each of `workers` concurrent trials trains on, `per_trial` each: disjoint groups while
    the devices last, then shared round-robin (more trials than GPUs still run, two to a device). No GPU: ()."""
    if visible < 1:
        return [()] * workers
    if per_trial > visible:
        raise ConfigError(f"gpus_per_worker={per_trial} but only {visible} CUDA device(s) are visible; lower "
                          "gpus_per_worker")
    groups = [tuple(range(start, start + per_trial)) for start in range(0, visible - per_trial + 1, per_trial)]
    return [groups[i % len(groups)] for i in range(workers)]


def visible_devices_env(group: tuple[int, ...], inherited: str | None) -> str:
    """CUDA_VISIBLE_DEVICES for a worker process given `group` (indices into what its parent sees)."""
    parent = [d.strip() for d in inherited.split(",")] if inherited else None
    return ",".join(parent[i] if parent and i < len(parent) else str(i) for i in group)
