"""How many trials train at once on this machine's cores when the user leaves `concurrent_workers` out.

Small models leave cores idle: one trial on two threads spends much of each step in Python and in ops too small
to split, so two one-thread trials can train more samples per second than one two-thread trial. The choice is
measured, not guessed: the study's baseline model takes a few real training steps at each candidate thread
count, and K side-by-side trials of T threads are predicted to train K * SCALING times the T-thread rate
(separate processes on separate cores; bench/worker_layout.py measures how well that holds).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from typing import Any

import optuna
import torch

from nettune.config import OptimizationConfig
from nettune.data.types import PreparedData
from nettune.models import build_model
from nettune.space.search_space import SpaceOptions, baseline_params, suggest_model_config
from nettune.training.cost import estimate_cost
from nettune.training.device import pick_device

# Side-by-side one-thread processes keep about this share of one process's rate (memory bandwidth, turbo):
# measured 0.95 (LSTM) to 1.0 (CNN) on 2 cores with real trials (bench/results/worker_layout.json).
SCALING = 0.95
# More workers must win by this much: each trial then takes longer, so the sampler learns from fewer results.
MARGIN = 1.1
# TPE proposes in-flight trials without their results; beyond this many it mostly samples blind.
MAX_AUTO_WORKERS = 4
# Worker processes cost seconds each to start (spawn, import torch, map the data): a shorter study runs in-process.
MIN_STUDY_S = 60.0
ROUNDS = 2  # each candidate is timed this often, interleaved; the fastest round counts (noise only slows)


@dataclass(frozen=True)
class WorkerLayout:
    workers: int
    threads: int  # per worker
    reason: str
    # measured training samples/s of the baseline model, one process, keyed by thread count ("2 threads")
    measured: dict[str, float] = field(default_factory=dict)
    predicted: dict[str, float] = field(default_factory=dict)  # samples/s of each candidate layout ("2x1")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        head = f"{self.workers} worker(s) x {self.threads} thread(s)"
        return f"{head}: {self.reason}"


def choose_layout(config: OptimizationConfig, data: PreparedData, cores: int | None = None) -> WorkerLayout:
    cores = cores or os.cpu_count() or 1
    if config.concurrent_workers is not None:
        workers = config.concurrent_workers
        return WorkerLayout(workers, max(1, cores // workers), "set by concurrent_workers")
    gpus = torch.cuda.device_count() if pick_device(config.device).type == "cuda" else 0
    if gpus and not config.use_runpod_service and not config.follow_only:
        workers = max(1, gpus // config.gpus_per_worker)  # executors/placement.py gives each its own GPU(s)
        return WorkerLayout(workers, max(1, cores // workers), f"one trial per {config.gpus_per_worker} of {gpus} "
                            "visible GPU(s)")
    fixed = _fixed_reason(config, cores)
    if fixed is not None:
        return WorkerLayout(1, cores, fixed)
    candidates = candidate_layouts(cores, min(config.trials, MAX_AUTO_WORKERS))
    rates, trial_s = measure_rates(config, data, sorted({threads for _, threads in candidates}, reverse=True))
    if config.trial_timeout is not None:  # no trial trains past its budget
        trial_s = min(trial_s, config.trial_timeout)
    study_s = config.timeout or trial_s * config.trials
    if study_s < MIN_STUDY_S:
        return WorkerLayout(1, cores, f"a short study (~{study_s:.0f} s predicted): worker processes would cost "
                            "more to start than they save", {f"{t} threads": round(r, 1) for t, r in rates.items()})
    predicted = {f"{k}x{t}": rates[t] * k * (SCALING if k > 1 else 1.0) for k, t in candidates}
    single = predicted[f"1x{cores}"]
    best_k, best_t = max(candidates, key=lambda c: predicted[f"{c[0]}x{c[1]}"])
    measured = {f"{t} threads": round(r, 1) for t, r in rates.items()}
    shown = {k: round(v, 1) for k, v in predicted.items()}
    if best_k > 1 and predicted[f"{best_k}x{best_t}"] >= single * MARGIN:
        gain = predicted[f"{best_k}x{best_t}"] / single
        return WorkerLayout(best_k, best_t, f"measured: predicted {gain:.2f}x the samples/s of one trial on "
                            f"{cores} threads", measured, shown)
    return WorkerLayout(1, cores, f"measured: more workers would not train {MARGIN:.2f}x faster", measured, shown)


def auto_ceiling(cores: int | None = None) -> int:
    """The most workers auto may choose here (a server whose limit is lower pins the limit instead)."""
    return min(cores or os.cpu_count() or 1, MAX_AUTO_WORKERS)


def _fixed_reason(config: OptimizationConfig, cores: int) -> str | None:
    """Why the layout is one worker without measuring, or None when measuring decides."""
    if config.follow_only:
        return "follow_only runs no trials here"
    if config.use_runpod_service:
        return "remote endpoint: set concurrent_workers to its number of workers"
    if config.gpus_per_worker > 1:
        return "each trial trains on several devices (gpus_per_worker)"
    if config.benchmark_trial_seconds is not None:
        return "benchmark trials do not train"
    if cores < 2 or config.trials < 2:
        return "one core or one trial"
    return None


def candidate_layouts(cores: int, max_workers: int) -> list[tuple[int, int]]:
    """(workers, threads each) that split the cores evenly, one worker first."""
    return [(k, cores // k) for k in range(1, max(1, max_workers) + 1) if cores % k == 0]


def measure_rates(config: OptimizationConfig, data: PreparedData,
                  thread_counts: list[int]) -> tuple[dict[int, float], float]:
    """Training samples/s of the study's baseline model in this process at each thread count, and the seconds
    its whole trial is predicted to take at the first thread count."""
    space = SpaceOptions(max_epochs=config.max_epochs_per_trial, activation=config.activation)
    cfg = suggest_model_config(optuna.trial.FixedTrial(baseline_params(data.info, space)), data.info, space)
    model = build_model(cfg)
    device = torch.device("cpu")
    before = torch.get_num_threads()
    best: dict[int, float] = {}
    trial_s = float("inf")
    try:
        for _ in range(ROUNDS):
            for threads in thread_counts:
                torch.set_num_threads(threads)
                cost = estimate_cost(model, cfg, data, device)
                best[threads] = max(best.get(threads, 0.0), min(cfg.batch_size, len(data.train)) / cost.step_s)
                if threads == thread_counts[0]:
                    trial_s = min(trial_s, cost.total_s)
    finally:
        torch.set_num_threads(before)
    return best, trial_s
