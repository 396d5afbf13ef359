"""Per-trial plot rendering time against that trial's training time, at the default MNIST budget.

    .venv/bin/python bench/plot_render.py --epochs 2 --repeats 3

Trains the baseline CNN on full MNIST through the real trial runner (plot data recorded, not rendered),
then renders every per-trial plot from the saved files, as the study does at its end.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import optuna
from common import data_dir, median, write_result

from nettune.data import load_dataset
from nettune.space.search_space import SpaceOptions, baseline_params, suggest_model_config
from nettune.trials.job import TrialJob
from nettune.trials.run import run_trial


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    root = data_dir("mnist")
    info = load_dataset("mnist", data_dir=root).info
    options = SpaceOptions(max_epochs=args.epochs)
    study = optuna.create_study(direction="maximize")
    study.enqueue_trial(baseline_params(info, options))
    cfg = suggest_model_config(study.ask(), info, options)
    with tempfile.TemporaryDirectory() as out:
        job = TrialJob(number=0, model_config=cfg, dataset="mnist", data_fraction=1.0, data_seed=0, seed=0,
                       mode="health", health_weight=0.3, trial_dir=str(Path(out) / "0000"), plot_generation="best",
                       data_dir=str(root))
        outcome = run_trial(job, emit=lambda event: None)
        assert outcome.state == "complete", outcome.error
        from nettune.plots import render_trial_plots  # imported in run_trial already; timing excludes imports

        renders = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            written = render_trial_plots(Path(job.trial_dir))
            renders.append(time.perf_counter() - start)
    train_s = outcome.metrics["train_seconds"]
    write_result("plot_render", {
        "command": " ".join(["python", *sys.argv]),
        "trial": {"epochs": cfg.epochs, "train_seconds": round(train_s, 2),
                  "test_accuracy": outcome.metrics["test_accuracy"]},
        "plots": len(written), "render_seconds": [round(r, 3) for r in renders],
        "median_render_seconds": round(median(renders), 3),
        "render_over_train": round(median(renders) / train_s, 4),
    })


if __name__ == "__main__":
    main()
