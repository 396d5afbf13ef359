"""What a trial will cost on the device it runs on, known before it trains: a few real steps, timed.

A copy of the model takes the steps, so the trial itself starts from untouched weights and RNG state. The
estimate covers every planned epoch (training steps plus the validation pass) and the final test pass; the
health and progress hooks add a few percent, which OVERHEAD covers.
"""

from __future__ import annotations

import copy
import time
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from nettune.data.types import PreparedData
from nettune.space.model_config import ModelConfig
from nettune.training.accelerate import Precision, prepare_model
from nettune.training.augment import augment_batch
from nettune.training.evaluate import prepare_batch
from nettune.training.optim import make_optimizer

PROBE_STEPS = 3  # timed after one untimed step (first-call allocations, kernel selection)
EVAL_PROBE = 512  # validation samples timed for the per-sample evaluation cost
OVERHEAD = 1.05


@dataclass(frozen=True)
class CostEstimate:
    step_s: float
    epoch_s: float
    total_s: float  # all planned epochs plus the test pass
    probe_s: float  # what finding out cost

    def to_dict(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in asdict(self).items()}


def estimate_cost(model: nn.Module, cfg: ModelConfig, data: PreparedData, device: torch.device) -> CostEstimate:
    started = time.perf_counter()
    rng_state = torch.get_rng_state()
    cuda_state = torch.cuda.get_rng_state(device) if device.type == "cuda" else None
    probe = copy.deepcopy(model)
    prepare_model(probe, cfg.family, device)
    precision = Precision.for_device(device)  # time the steps the trial will take, at its precision
    optimizer = make_optimizer(probe, cfg)
    batch = min(cfg.batch_size, len(data.train))
    x = prepare_batch(data.train.x[:batch], device)
    y = data.train.y[:batch].to(device)
    augment_rng = torch.Generator().manual_seed(0)

    def step() -> None:
        with precision.autocast(device):
            loss = F.cross_entropy(probe(augment_batch(x, cfg.augment, augment_rng)), y,
                                   label_smoothing=cfg.label_smoothing)
        optimizer.zero_grad(set_to_none=True)
        precision.step(loss, optimizer)

    probe.train()
    step()
    _sync(device)
    t0 = time.perf_counter()
    for _ in range(PROBE_STEPS):
        step()
    _sync(device)
    step_s = (time.perf_counter() - t0) / PROBE_STEPS

    probe.eval()
    with torch.no_grad():
        xv = prepare_batch(data.val.x[:EVAL_PROBE], device)
        probe(xv)
        _sync(device)
        t0 = time.perf_counter()
        probe(xv)
        _sync(device)
        per_sample = (time.perf_counter() - t0) / max(1, len(xv))
    torch.set_rng_state(rng_state)  # dropout in the probe must not shift the trial's random stream
    if cuda_state is not None:
        torch.cuda.set_rng_state(cuda_state, device)

    batches = -(-len(data.train) // cfg.batch_size)
    epoch_s = (step_s * batches + per_sample * len(data.val)) * OVERHEAD
    total_s = epoch_s * cfg.epochs + per_sample * len(data.test)
    return CostEstimate(step_s, epoch_s, total_s, time.perf_counter() - started)


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


class OverBudget(Exception):
    """The trial was not started: its predicted cost is over its share of the budget."""


def check_budget(predicted_s: float, limit_s: float | None, epochs: int, device: torch.device) -> None:
    if limit_s is not None and predicted_s > limit_s:
        raise OverBudget(f"skipped before training: predicted {predicted_s:.0f} s for {epochs} epochs on "
                         f"{device.type}, over its {limit_s:.0f} s share of the budget")
