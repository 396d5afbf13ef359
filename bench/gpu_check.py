"""GPU throughput and behaviour, for a machine with CUDA (bench/gpu_check.sh runs it with time limits).

    .venv/bin/python bench/gpu_check.py throughput      # bare loop vs nettune's trainer, health and AMP on/off
    .venv/bin/python bench/gpu_check.py ddp             # one 2-GPU DistributedDataParallel trial (NCCL)
    .venv/bin/python bench/gpu_check.py study           # a short concurrent study, one trial per GPU

Models: the MNIST baseline CNN on genuine MNIST, and a CIFAR-sized CNN (3x32x32, 3 blocks of 64-128-256 filters)
on random tensors of CIFAR-10's shape: throughput does not depend on what the pixels show. Results go to
bench/results/gpu_<part>.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import torch
import torch.nn.functional as F
from common import data_dir, median, write_result

from nettune import OptimizationConfig, optimize
from nettune.data import load_dataset
from nettune.data.types import DatasetInfo, PreparedData, Split
from nettune.health import HealthMonitor
from nettune.models import build_model
from nettune.space.model_config import ModelConfig
from nettune.training import accelerate
from nettune.training.accelerate import Precision, prepare_model, resident
from nettune.training.device import seed_everything
from nettune.training.evaluate import prepare_batch
from nettune.training.progress_hook import ProgressReporter
from nettune.training.trainer import TrainSettings, train


def mnist_case(samples: int) -> tuple[ModelConfig, PreparedData]:
    full = load_dataset("mnist", data_dir=data_dir("mnist"))
    data = PreparedData(full.info, Split(full.train.x[:samples], full.train.y[:samples]),
                        Split(full.val.x[:2000], full.val.y[:2000]), full.test, full.notes)
    cfg = ModelConfig(family="cnn", dataset="mnist", input_shape=(1, 28, 28), num_classes=10, filters=(32, 64),
                      batch_norm=True, dropout=0.25, dense_units=128, batch_size=256, epochs=1, learning_rate=2e-3,
                      weight_decay=0.0, lr_schedule="constant")
    return cfg, data


def cifar_case(samples: int) -> tuple[ModelConfig, PreparedData]:
    g = torch.Generator().manual_seed(0)
    info = DatasetInfo("cifar_shaped", "image", 10, tuple(str(i) for i in range(10)), (3, 32, 32))

    def split(n: int) -> Split:
        return Split(torch.randn(n, 3, 32, 32, generator=g), torch.randint(0, 10, (n,), generator=g))

    cfg = ModelConfig(family="cnn", dataset="cifar_shaped", input_shape=(3, 32, 32), num_classes=10,
                      filters=(64, 128, 256), convs_per_block=2, batch_norm=True, dropout=0.2, dense_units=256,
                      batch_size=512, epochs=1, learning_rate=2e-3, weight_decay=0.0, lr_schedule="constant")
    return cfg, PreparedData(info, split(samples), split(2000), split(2000))


def _sync(device: torch.device) -> None:
    if device.type == "cuda":  # kernels run asynchronously: time what has finished
        torch.cuda.synchronize(device)


def bare_loop(cfg: ModelConfig, data: PreparedData, device: torch.device, amp: bool) -> float:
    """The loop a person writes by hand, with the same choices nettune makes on a GPU when `amp`."""
    generator = seed_everything(0)
    model = build_model(cfg)
    prepare_model(model, cfg.family, device)
    precision = Precision.for_device(device) if amp else Precision(None, None)
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.learning_rate)
    x_all, y_all, on_device = resident(data.train.x, data.train.y, device)
    _sync(device)
    start = time.perf_counter()
    order = torch.randperm(len(data.train), generator=generator)
    for i in range(0, len(data.train), cfg.batch_size):
        idx = order[i : i + cfg.batch_size]
        idx = idx.to(device) if on_device else idx
        x, y = prepare_batch(x_all[idx], device), y_all[idx].to(device, non_blocking=True)
        with precision.autocast(device):
            loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad(set_to_none=True)
        precision.step(loss, optimizer)
    model.eval()
    with torch.no_grad():  # nettune's trainer validates once per epoch: so does the hand-written loop
        model(prepare_batch(data.val.x, device))
    _sync(device)
    return len(data.train) / (time.perf_counter() - start)


def nettune_trainer(cfg: ModelConfig, data: PreparedData, device: torch.device, health: bool, amp: bool,
                    staged: bool = False, compiled: bool = False) -> float:
    """`staged`: the split is treated as too large to keep on the device, so batches come through the pinned
    double-buffered copies (training/feed.py). `compiled`: torch.compile, compile time included (one epoch)."""
    seed_everything(0)
    model = build_model(cfg)
    hooks = [ProgressReporter(0, lambda event: None)] + ([HealthMonitor()] if health else [])
    resident_bytes = accelerate.RESIDENT_BYTES
    accelerate.RESIDENT_BYTES = -1 if staged else resident_bytes
    try:
        _sync(device)
        start = time.perf_counter()
        train(model, cfg, data, TrainSettings(seed=0, device=device, patience=10, mixed_precision=amp,
                                              compile=compiled), hooks)
        _sync(device)
    finally:
        accelerate.RESIDENT_BYTES = resident_bytes
    return len(data.train) * cfg.epochs / (time.perf_counter() - start)


def measure(cfg: ModelConfig, data: PreparedData, device: torch.device, repeats: int) -> dict[str, Any]:
    loops = {
        "bare_fp32": lambda: bare_loop(cfg, data, device, amp=False),
        "bare_amp": lambda: bare_loop(cfg, data, device, amp=True),
        "trainer_fp32_no_health": lambda: nettune_trainer(cfg, data, device, health=False, amp=False),
        "trainer_amp_no_health": lambda: nettune_trainer(cfg, data, device, health=False, amp=True),
        "trainer_amp_health": lambda: nettune_trainer(cfg, data, device, health=True, amp=True),
        "trainer_amp_staged": lambda: nettune_trainer(cfg, data, device, health=False, amp=True, staged=True),
    }
    for run in loops.values():  # warm-up: kernel selection, allocator
        run()
    runs: dict[str, list[float]] = {k: [] for k in loops}
    for _ in range(repeats):  # interleaved, so clock and thermal drift hit every loop alike
        for key, run in loops.items():
            runs[key].append(round(run(), 1))
    med = {k: median(v) for k, v in runs.items()}
    return {"samples": len(data.train), "batch_size": cfg.batch_size, "median_samples_per_s": med, "runs": runs,
            "ratio_no_health_amp": round(med["trainer_amp_no_health"] / med["bare_amp"], 4),
            "ratio_health_amp": round(med["trainer_amp_health"] / med["bare_amp"], 4),
            "ratio_no_health_fp32": round(med["trainer_fp32_no_health"] / med["bare_fp32"], 4),
            "amp_speedup_bare": round(med["bare_amp"] / med["bare_fp32"], 3),
            "staged_vs_resident": round(med["trainer_amp_staged"] / med["trainer_amp_no_health"], 4),
            **compile_payoff(cfg, data, device)}


def compile_payoff(cfg: ModelConfig, data: PreparedData, device: torch.device, epochs: int = 3) -> dict[str, Any]:
    """torch.compile once against eager, over a few epochs with compile time included: whether compile_model pays
    for a trial of this length (too slow to repeat inside the interleaved loops)."""
    cfg = replace(cfg, epochs=epochs)
    eager = nettune_trainer(cfg, data, device, health=False, amp=True)
    compiled = nettune_trainer(cfg, data, device, health=False, amp=True, compiled=True)
    return {f"compile_{epochs}_epochs_samples_per_s": {"eager": round(eager, 1), "compiled": round(compiled, 1)},
            "compiled_vs_eager": round(compiled / eager, 4)}


def throughput(samples: int, repeats: int, device: torch.device) -> dict[str, Any]:
    out: dict[str, Any] = {"device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
                           "amp_dtype": Precision.for_device(device).describe()}
    for name, (cfg, data) in {"mnist_baseline": mnist_case(samples), "cifar_sized": cifar_case(samples)}.items():
        out[name] = measure(cfg, data, device, repeats)
        print(name, out[name]["median_samples_per_s"], flush=True)
    return out


def ddp(samples: int) -> dict[str, Any]:
    if torch.cuda.device_count() < 2:
        return {"skipped": f"{torch.cuda.device_count()} GPU(s) visible; DDP needs 2"}
    with tempfile.TemporaryDirectory() as out:
        rows = {}
        for gpus in (1, 2):
            config = OptimizationConfig(dataset="mnist", mode="simple", trials=1, max_epochs_per_trial=2,
                                        data_dir=str(data_dir("mnist")), output_dir=out, run_name=f"ddp{gpus}",
                                        gpus_per_worker=gpus, concurrent_workers=1, plot_generation="none",
                                        device="cuda", data_fraction=min(1.0, samples / 54_000))
            start = time.perf_counter()
            result = optimize(config)
            rows[f"{gpus}_gpu"] = {"seconds": round(time.perf_counter() - start, 2),
                                   "test_accuracy": result.best_test_accuracy, "counts": result.counts}
    return rows


def study(minutes: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as out:
        config = OptimizationConfig(dataset="mnist", mode="health", trials=1000, timeout=minutes * 60,
                                    data_dir=str(data_dir("mnist")), output_dir=out, run_name="gpu_study",
                                    plot_generation="none")
        start = time.perf_counter()
        result = optimize(config)
        recorded = json.loads(result.results_path.read_text())
    return {"gpus": torch.cuda.device_count(), "minutes": minutes, "seconds": round(time.perf_counter() - start, 1),
            "counts": result.counts, "best_test_accuracy": result.best_test_accuracy,
            "worker_layout": recorded.get("worker_layout")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("part", choices=["throughput", "ddp", "study"])
    parser.add_argument("--samples", type=int, default=30_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--minutes", type=float, default=2.0)
    parser.add_argument("--smoke-on-cpu", action="store_true", help="check the script itself on a CPU (tiny "
                        "throughput run, nothing written)")
    args = parser.parse_args()
    if args.smoke_on_cpu:
        print(throughput(args.samples, args.repeats, torch.device("cpu")))
        return
    if not torch.cuda.is_available():
        raise SystemExit("gpu_check: no CUDA device here; run it on a GPU machine")
    result = {"throughput": lambda: throughput(args.samples, args.repeats, torch.device("cuda")),
              "ddp": lambda: ddp(args.samples),
              "study": lambda: study(args.minutes)}[args.part]()
    write_result(f"gpu_{args.part}", {"command": " ".join(["python", *sys.argv]), **result})


if __name__ == "__main__":
    main()
