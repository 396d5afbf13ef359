"""Trials at once on this machine's cores: what auto chooses, against what each layout really trains.

    .venv/bin/python bench/worker_layout.py --datasets fashion_mnist imdb --repeats 2

For each layout (K worker processes x T threads, K*T = cores) K spawned processes start together and each trains
the dataset's baseline model for one epoch through nettune's trainer with the health monitor on, as a trial does;
the layout's rate is the sum of their samples/s. Layouts alternate so machine noise hits all alike. Beside it,
`choose_layout` (executors/layout.py) runs on the same data: its in-process prediction and its choice.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import data_dir, median, write_result

from nettune.config import OptimizationConfig
from nettune.data import load_dataset
from nettune.executors.layout import candidate_layouts, choose_layout


def _train_once(dataset: str, fraction: float, root: str, threads: int, barrier: Any, out: Any) -> None:
    import optuna
    import torch

    from nettune.health import HealthMonitor
    from nettune.models import build_model
    from nettune.space.search_space import SpaceOptions, baseline_params, suggest_model_config
    from nettune.training.device import seed_everything
    from nettune.training.progress_hook import ProgressReporter
    from nettune.training.trainer import TrainSettings, train

    torch.set_num_threads(threads)
    data = load_dataset(dataset, data_fraction=fraction, seed=0, data_dir=Path(root))
    space = SpaceOptions(max_epochs=1)
    cfg = suggest_model_config(optuna.trial.FixedTrial(baseline_params(data.info, space)), data.info, space)
    seed_everything(0)
    model = build_model(cfg)
    barrier.wait()  # every process of the layout trains at the same time
    start = time.perf_counter()
    train(model, cfg, data, TrainSettings(seed=0, patience=10), [ProgressReporter(0, lambda e: None), HealthMonitor()])
    out.put(len(data.train) / (time.perf_counter() - start))


def layout_rate(dataset: str, fraction: float, root: Path, workers: int, threads: int) -> float:
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(workers), ctx.Queue()
    procs = [ctx.Process(target=_train_once, args=(dataset, fraction, str(root), threads, barrier, out))
             for _ in range(workers)]
    for p in procs:
        p.start()
    rates = [out.get(timeout=900) for _ in procs]
    for p in procs:
        p.join()
    return sum(rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="+", default=["fashion_mnist", "imdb"])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--fraction", type=float, default=None, help="data fraction (default: per dataset)")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    layouts = candidate_layouts(cores, cores)
    rows: dict[str, Any] = {}
    for dataset in args.datasets:
        fraction = args.fraction or {"imdb": 0.3}.get(dataset, 0.5)
        root = data_dir(dataset)
        data = load_dataset(dataset, data_fraction=fraction, seed=0, data_dir=root)
        config = OptimizationConfig(dataset=dataset, mode="simple", trials=100, timeout=900.0, data_dir=str(root))
        chosen = choose_layout(config, data)
        real: dict[str, list[float]] = {f"{k}x{t}": [] for k, t in layouts}
        for _ in range(args.repeats):
            for k, t in layouts:
                real[f"{k}x{t}"].append(round(layout_rate(dataset, fraction, root, k, t), 1))
                print(dataset, f"{k}x{t}", real[f"{k}x{t}"][-1], flush=True)
        medians = {name: median(v) for name, v in real.items()}
        single = medians[f"1x{cores}"]
        best = max(medians, key=lambda name: medians[name])
        rows[dataset] = {
            "data_fraction": fraction, "train_samples": len(data.train),
            "real_samples_per_s": real, "real_median": medians,
            "real_ratio_to_one_worker": {name: round(v / single, 3) for name, v in medians.items()},
            "fastest_layout": best,
            "auto_choice": f"{chosen.workers}x{chosen.threads}", "auto": chosen.to_dict(),
            "auto_chose_fastest": f"{chosen.workers}x{chosen.threads}" == best,
        }
    command = (f"python bench/worker_layout.py --datasets {' '.join(args.datasets)} --repeats {args.repeats}"
               + (f" --fraction {args.fraction:g}" if args.fraction else ""))
    write_result("worker_layout", {"command": command, "cores": cores, "rows": rows})


if __name__ == "__main__":
    main()
