"""Trainer throughput against a bare PyTorch loop on the same model, data and batch size.

    .venv/bin/python bench/trainer_throughput.py --samples 12000 --repeats 5

Runs alternate (bare, trainer without health, trainer with health) so machine noise hits all three alike;
reports the median samples/second of each and the ratios to the bare loop.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import torch
import torch.nn.functional as F
from common import data_dir, median, write_result

from nettune.data import load_dataset
from nettune.data.types import PreparedData, Split
from nettune.health import HealthMonitor
from nettune.models import build_model
from nettune.space.model_config import ModelConfig
from nettune.training.device import seed_everything
from nettune.training.evaluate import prepare_batch
from nettune.training.progress_hook import ProgressReporter
from nettune.training.trainer import TrainSettings, train


def bare_loop(cfg: ModelConfig, data: PreparedData) -> float:
    """The loop a person writes by hand: same model, optimizer, batch order and memory format."""
    generator = seed_everything(0)
    model = build_model(cfg).to(memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.learning_rate, weight_decay=cfg.weight_decay)
    device = torch.device("cpu")
    start = time.perf_counter()
    model.train()
    order = torch.randperm(len(data.train), generator=generator)
    for i in range(0, len(data.train), cfg.batch_size):
        idx = order[i : i + cfg.batch_size]
        x, y = prepare_batch(data.train.x[idx], device), data.train.y[idx]
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        model(prepare_batch(data.val.x, device))
    return len(data.train) / (time.perf_counter() - start)


def nettune_trainer(cfg: ModelConfig, data: PreparedData, health: bool) -> float:
    seed_everything(0)
    model = build_model(cfg)
    hooks = [ProgressReporter(0, lambda event: None)] + ([HealthMonitor()] if health else [])
    start = time.perf_counter()
    train(model, cfg, data, TrainSettings(seed=0, patience=10), hooks)
    return len(data.train) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=12000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=128)
    args = parser.parse_args()
    full = load_dataset("mnist", data_dir=data_dir("mnist"))
    data = PreparedData(full.info, Split(full.train.x[: args.samples], full.train.y[: args.samples]),
                        Split(full.val.x[:1000], full.val.y[:1000]), full.test, full.notes)
    cfg = ModelConfig(family="cnn", dataset="mnist", input_shape=(1, 28, 28), num_classes=10, filters=(32, 64),
                      batch_norm=True, dropout=0.25, dense_units=128, batch_size=args.batch_size, epochs=1,
                      learning_rate=2e-3, weight_decay=0.0, lr_schedule="constant")
    runs: dict[str, list[float]] = {"bare": [], "trainer_no_health": [], "trainer_health": []}
    nettune_trainer(cfg, data, health=True)  # warm-up: first-call allocations and kernel selection
    for _ in range(args.repeats):
        runs["bare"].append(bare_loop(cfg, data))
        runs["trainer_no_health"].append(nettune_trainer(cfg, data, health=False))
        runs["trainer_health"].append(nettune_trainer(cfg, data, health=True))
        print({k: round(v[-1]) for k, v in runs.items()}, flush=True)
    med = {k: median(v) for k, v in runs.items()}
    write_result("trainer_throughput", {
        "command": " ".join(["python", *sys.argv]),
        "model": cfg.to_dict(), "samples_per_epoch": args.samples,
        "median_samples_per_s": {k: round(v, 1) for k, v in med.items()},
        "ratio_no_health": round(med["trainer_no_health"] / med["bare"], 4),
        "ratio_health": round(med["trainer_health"] / med["bare"], 4),
        "runs": runs,
    })


if __name__ == "__main__":
    main()
